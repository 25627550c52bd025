using System.Text.RegularExpressions;
using ContainerSdk.Tests.Registry;

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// What `dotnet build` and `dotnet publish` print at the default verbosity (issue 23): a first build's line per layer
/// and its summary naming every output; a no-op's summary alone, its layers unchanged; a publish line with the
/// configuration and the blobs and bytes sent, mounted and already there. README.md shows these outputs: each shown
/// block must match what is printed, line for line (numbers, digests and the project folder aside).
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class SummaryLineTests(SdkPackage sdk)
{
    [Fact]
    public async Task A_first_build_a_no_op_and_a_publish_print_what_the_readme_shows()
    {
        Tools.Require("docker-registry");
        await using var reg = await RegistryServer.StartAsync();
        var project = new TestProject(sdk, Path.Combine(sdk.Root, "summary-" + Guid.NewGuid().ToString("N")[..8], "mysite"), "mysite");
        Tree.TextRootfs(project.Path("base"));
        Tree.FileAt(project.Path("modules", "hello-1.0", "bin", "hello"), "#!/bin/sh\necho hello\n", "755");
        await project.WriteAsync($"""
              <PropertyGroup>
                <ContainerRegistry>{reg.Host}</ContainerRegistry>
                <ContainerInsecureRegistries>{reg.Host}</ContainerInsecureRegistries>
              </PropertyGroup>
              <ItemGroup>
                <BaseLayer Include="base" />
                <Module Include="modules/hello-1.0" TargetPath="/opt/hello/1.0" />
              </ItemGroup>
            """);
        string bundle = project.Path("bin", "Debug", "mysite.tar.gz"), acls = project.Path("bin", "Debug", "mysite.acl"), sbom = project.Path("bin", "Debug", "mysite.cdx.json");
        string summary = $"mysite -> {project.ImageLayout}/ mysite:latest sha256:";
        Tools.Result Run(params string[] args) => Dotnet.Run(args, project.Directory, sdk.PackagesFolder).EnsureSuccess(string.Join(" ", args));

        var first = Run("build", project.ProjectPath);
        Assert.Contains("  Layer 2/2 Module modules/hello-1.0 -> /opt/hello/1.0: built ", first.StdOut);
        Assert.Matches(new Regex($@"^  {Regex.Escape(summary)}[0-9a-f]{{64}} \(layers: 2 built\); bundle {Regex.Escape(bundle)}; ACLs {Regex.Escape(acls)}; SBOM {Regex.Escape(sbom)}$", RegexOptions.Multiline), first.StdOut);
        Assert.Single(Regex.Matches(first.StdOut, "Build succeeded"));
        ReadmeOutput.AssertShows("first build", first.StdOut, project.Directory);

        var noop = Run("build", project.ProjectPath);
        Assert.Contains(" (layers: 2 unchanged); bundle ", noop.StdOut);
        Assert.DoesNotContain("Layer ", noop.StdOut);
        ReadmeOutput.AssertShows("no-op build", noop.StdOut, project.Directory);

        var publish = Run("publish", project.ProjectPath);
        var pushed = new Regex($@"^  mysite -> {Regex.Escape(reg.Host)}/mysite:latest sha256:[0-9a-f]{{64}} \(Debug image: 3 blobs sent \([\d.]+ [KM]?i?B\), 0 mounted, 0 already there\)$", RegexOptions.Multiline);
        Assert.Matches(pushed, publish.StdOut);
        ReadmeOutput.AssertShows("publish", publish.StdOut, project.Directory);

        // Release builds the same bytes into its own layout: the line names the configuration, and nothing is sent again.
        var release = Run("publish", project.ProjectPath, "-c", "Release");
        Assert.Contains($"mysite -> {reg.Host}/mysite:latest sha256:", release.StdOut);
        Assert.Contains("(Release image: 0 blobs sent, 0 mounted, 3 already there (", release.StdOut);
    }
}

/// <summary>README.md's blocks of printed output, each after a <c>&lt;!-- output: name --&gt;</c> line, matched against a real run.</summary>
internal static class ReadmeOutput
{
    public static IReadOnlyList<string> Block(string name)
    {
        var readme = File.ReadAllText(Path.Combine(RepoRoot.Path, "README.md"));
        int marker = readme.IndexOf($"<!-- output: {name} -->", StringComparison.Ordinal);
        Assert.True(marker >= 0, $"README.md has no block marked <!-- output: {name} -->");
        int open = readme.IndexOf("```text\n", marker, StringComparison.Ordinal) + "```text\n".Length;
        int close = readme.IndexOf("```", open, StringComparison.Ordinal);
        return readme[open..close].Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// Every line the build printed before "Build succeeded" is the README block's line at the same place, where the
    /// README's <c>/home/you/mysite</c> is the project's folder and its numbers, sizes and digests stand for any.
    /// </summary>
    public static void AssertShows(string name, string stdout, string projectDirectory)
    {
        var printed = stdout.Split('\n').Select(l => l.TrimEnd('\r')).TakeWhile(l => !l.StartsWith("Build succeeded", StringComparison.Ordinal))
            .Where(l => l.Trim().Length > 0).ToList();
        var shown = Block(name);
        Assert.True(printed.Count == shown.Count, $"README's '{name}' block has {shown.Count} lines, the build printed {printed.Count}:\n{string.Join("\n", printed)}");
        for (int i = 0; i < shown.Count; i++)
            Assert.True(Pattern(shown[i], projectDirectory).IsMatch(printed[i]), $"README's '{name}' line {i + 1}:\n{shown[i]}\ndoes not match what was printed:\n{printed[i]}");
    }

    private static readonly Regex Token = new(@"/home/you/mysite|sha256:[0-9a-f]+…?|127\.0\.0\.1:\d+|\d+(?:\.\d+)? (?:B|KiB|MiB|GiB)\b|\d+(?:\.\d+)?");

    private static Regex Pattern(string shown, string projectDirectory)
    {
        var pattern = new System.Text.StringBuilder("^");
        int at = 0;
        foreach (Match m in Token.Matches(shown))
        {
            pattern.Append(Regex.Escape(shown[at..m.Index]));
            pattern.Append(m.Value switch
            {
                "/home/you/mysite" => Regex.Escape(projectDirectory),
                var v when v.StartsWith("sha256:", StringComparison.Ordinal) => "sha256:[0-9a-f]+",
                var v when v.StartsWith("127.0.0.1:", StringComparison.Ordinal) => @"127\.0\.0\.1:\d+",
                var v when v.Contains(' ') => @"\d+(?:\.\d+)? (?:B|KiB|MiB|GiB)",
                _ => @"\d+(?:\.\d+)?",
            });
            at = m.Index + m.Length;
        }
        return new Regex(pattern.Append(Regex.Escape(shown[at..])).Append('$').ToString());
    }
}
