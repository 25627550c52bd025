using System.Text.Json.Nodes;
using ContainerSdk.Core.Bundle;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Registry;
using ContainerSdk.Tests;
using ContainerSdk.Tests.Registry;

namespace ContainerSdk.Core.Tests.Sbom;

/// <summary>An image on a base pulled from a registry: the SBOM names the base by its reference, digest and purl, and validates.</summary>
[Trait("Category", "EndToEnd")]
public sealed class RegistryBaseSbomTests
{
    [Fact]
    internal async Task The_SBOM_of_an_image_on_a_registry_base_names_it_by_reference_and_digest_and_validates()
    {
        Tools.Require("docker-registry");
        using var dir = new TempDir("sbom-regbase");
        await using var reg = await RegistryServer.StartAsync();
        var baseLayout = TestLayout.Create(dir.Combine("base-layout"), "1");
        await new ImagePusher(TestRegistryOptions.Plain(reg, dir.Combine("home")), new TranscriptLog())
            .PushLayoutAsync(baseLayout.Path, reg.Host, "bases/debian", null, cancel: TestContext.Current.CancellationToken);
        var module = Tree.FileAt(dir.Combine("modules", "tool-1.2", "bin", "tool"), "#!/bin/sh\n", "755");
        var reference = $"docker://{reg.Host}/bases/debian:1";
        var inputs = new[]
        {
            new LayerInput { ItemSpec = reference, Kind = LayerKind.Base, SourcePath = reference },
            new LayerInput { ItemSpec = "modules/tool-1.2", Kind = LayerKind.Module, SourcePath = dir.Combine("modules", "tool-1.2"), TargetPath = "/opt/tool", License = "Apache-2.0" },
        };
        var log = new TranscriptLog();
        var layers = ContainerEngine.BuildLayers(Layers.EngineRun.Validate(inputs), Array.Empty<AclFileRequest>(), new LayerBuildOptions { WorkDirectory = dir.Combine("obj") }, log,
            TestContext.Current.CancellationToken, new BundleOutput(dir.Combine("out", "site.tar.gz"), dir.Combine("out", "site.acl")), new RegistrySettings { InsecureRegistries = reg.Host });
        var sbom = dir.Combine("out", "site.cdx.json");
        var image = ContainerEngine.WriteImage(layers, new ImageSettings { Repository = "site", Tags = new[] { "1" } }, dir.Combine("out", "image"), log,
            dir.Combine("obj"), provenance: new ImageProvenance(sbom, dir.Combine("out", "site.acl")));

        CycloneDx.AssertValid(sbom);
        var bom = JsonNode.Parse(File.ReadAllBytes(sbom))!;
        var components = CycloneDx.Components(bom);
        var base1 = bom["components"]![0]!;
        Assert.Equal("container", base1["type"]!.GetValue<string>());
        Assert.Equal(baseLayout.Digest.ToString(), base1["version"]!.GetValue<string>());
        Assert.Equal(new[] { baseLayout.Digest.Hex }, CycloneDx.Sha256(base1));
        Assert.Equal($"pkg:oci/debian@sha256%3A{baseLayout.Digest.Hex}?repository_url={reg.Host.Replace(":", "%3A")}/bases/debian&tag=1", base1["purl"]!.GetValue<string>());
        Assert.Equal(baseLayout.Manifest.Layers.Select(l => l.Digest.ToString()), CycloneDx.Property(base1, "containersdk:layer"));
        Assert.Equal("1.2", components["tool"]["version"]!.GetValue<string>());
        Assert.Equal(new[] { image.ManifestDigest.Hex }, CycloneDx.Sha256(bom["metadata"]!["component"]!));
    }
}
