using System.Text.Json.Nodes;
using ContainerSdk.Core.Tests.Layers;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Sbom;

/// <summary>
/// The SBOM and the layout that carries it, read by the tools that have the last word: the CycloneDX project's own
/// validator, and skopeo and umoci reading the image by its tag beside the untagged artifacts.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class SbomInteropTests
{
    [Fact]
    internal void The_CycloneDX_validator_accepts_the_SBOM_and_skopeo_and_umoci_read_the_image_by_its_tag()
    {
        var skopeo = Tools.Require("skopeo");
        var umoci = Tools.Require("umoci");
        using var run = new EngineRun("sbom-tools");
        var (_, image, sbom) = ImageSbomTests.Build(run);

        CycloneDx.AssertValid(sbom);

        foreach (var tag in new[] { "2026.11", "latest" })
        {
            var raw = Tools.Run(skopeo, "inspect", "--raw", $"oci:{run.Layout}:{tag}").EnsureSuccess("skopeo inspect --raw");
            Assert.Equal(image.ManifestDigest, ContainerSdk.Core.Oci.Digest.Compute(System.Text.Encoding.UTF8.GetBytes(raw.StdOut)));
        }
        var copy = run.Dir.Combine("copy");
        Tools.Run(skopeo, "copy", $"oci:{run.Layout}:latest", $"oci:{copy}:latest").EnsureSuccess("skopeo copy");
        var bundle = run.Dir.Combine("unpacked");
        Tools.Run(umoci, "unpack", "--rootless", "--image", $"{run.Layout}:2026.11", bundle).EnsureSuccess("umoci unpack");
        Assert.True(File.Exists(Path.Combine(bundle, "rootfs", "opt", "solver", "3", "bin", "solve")));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(bundle, "config.json")))!;
        Assert.Contains("/opt/solver/3/bin", config["process"]!["env"]!.AsArray().Select(e => e!.GetValue<string>()).Single(e => e.StartsWith("PATH=")));
    }
}
