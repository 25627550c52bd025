using System.Text.Json.Nodes;

namespace ContainerSdk.Tests;

/// <summary>
/// The CycloneDX project's own validator (npm @cyclonedx/cyclonedx-library, JsonStrictValidator for spec 1.6, with the
/// official schemas), installed by .ci/run (<c>npm ci</c> in tests/CycloneDxValidator) and run through node.
/// </summary>
public static class CycloneDx
{
    public static string ValidatorFolder => Path.Combine(RepoRoot.Path, "tests", "CycloneDxValidator");

    /// <summary>Fails with the validator's errors unless every document is valid CycloneDX 1.6; skips (fails under CI) without node or the package.</summary>
    public static void AssertValid(params string[] paths)
    {
        var node = Tools.Require("node");
        if (!Directory.Exists(Path.Combine(ValidatorFolder, "node_modules", "@cyclonedx", "cyclonedx-library")))
        {
            if (Tools.InCi) Assert.Fail($"{ValidatorFolder}/node_modules is missing under CI=true (.ci/run runs npm ci there).");
            Assert.Skip($"The CycloneDX validator is not installed: run npm ci in {ValidatorFolder}.");
        }
        var result = Tools.Run(node, new[] { Path.Combine(ValidatorFolder, "validate.js") }.Concat(paths), ValidatorFolder, timeout: TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode == 0, $"The CycloneDX validator refused the SBOM:\n{result.StdOut}\n{result.StdErr}");
        foreach (var path in paths) Assert.Contains($"valid {path}", result.StdOut);
    }

    /// <summary>The document's components by name.</summary>
    public static Dictionary<string, JsonNode> Components(JsonNode bom) =>
        bom["components"]!.AsArray().ToDictionary(c => c!["name"]!.GetValue<string>(), c => c!);

    /// <summary>A component's property values of <paramref name="name"/>, in order.</summary>
    public static string[] Property(JsonNode component, string name) =>
        component["properties"]?.AsArray().Where(p => p!["name"]!.GetValue<string>() == name).Select(p => p!["value"]!.GetValue<string>()).ToArray() ?? Array.Empty<string>();

    /// <summary>A component's SHA-256 hashes, hex.</summary>
    public static string[] Sha256(JsonNode component) =>
        component["hashes"]?.AsArray().Where(h => h!["alg"]!.GetValue<string>() == "SHA-256").Select(h => h!["content"]!.GetValue<string>()).ToArray() ?? Array.Empty<string>();

    /// <summary>What <paramref name="reference"/> depends on, per the document's dependency graph.</summary>
    public static string[] DependsOn(JsonNode bom, string reference) =>
        bom["dependencies"]!.AsArray().Single(d => d!["ref"]!.GetValue<string>() == reference)!["dependsOn"]?.AsArray()
            .Select(d => d!.GetValue<string>()).ToArray() ?? Array.Empty<string>();
}
