using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Tests.Layers;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Outputs;

/// <summary>An image built on an image of this SDK keeps the base's module labels: its modules are still in it.</summary>
public class DerivedImageLabelsTests
{
    private static (ImageConfig Config, Manifest Manifest) Read(string layout)
    {
        var index = ImageIndex.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")));
        var manifest = Manifest.Parse(File.ReadAllBytes(Path.Combine(layout, "blobs", "sha256", index.Manifests[0].Digest.Hex)));
        return (ImageConfig.Parse(File.ReadAllBytes(Path.Combine(layout, "blobs", "sha256", manifest.Config.Digest.Hex))), manifest);
    }

    [Fact]
    internal void The_base_modules_labels_stay_and_the_images_own_modules_follow_them()
    {
        using var baseRun = new EngineRun("lbl-base");
        Tree.File(baseRun.Dir.Combine("rootfs"), "etc/os-release", "ID=test\n");
        Tree.File(baseRun.Dir.Combine("modules", "data-1.0"), "share/data.txt", "data\n");
        var (baseLayers, _) = baseRun.Build(new[]
        {
            EngineRun.Base(baseRun.Dir.Combine("rootfs")),
            EngineRun.Module(baseRun.Dir.Combine("modules", "data-1.0"), "/opt/data") with { Version = "1.0", License = "MIT" },
        });

        using var run = new EngineRun("lbl-derived");
        Tree.File(run.Dir.Combine("modules", "tool-2"), "bin/tool", "#!/bin/sh\n", "755");
        var (layers, _) = run.Build(new[]
        {
            EngineRun.Base(baseRun.Layout) with { Reference = "1.0" },
            EngineRun.Module(run.Dir.Combine("modules", "tool-2"), "/opt/tool") with { Version = "2" },
        });

        var (config, manifest) = Read(run.Layout);
        var labels = config.Config.Labels;
        Assert.Equal("data-1.0,tool-2", labels["io.containersdk.modules"]);
        Assert.Equal("data-1.0", labels["io.containersdk.module.1.name"]);
        Assert.Equal("1.0", labels["io.containersdk.module.1.version"]);
        Assert.Equal("MIT", labels["io.containersdk.module.1.license"]);
        Assert.Equal(baseLayers[1].Descriptor.Digest.ToString(), labels["io.containersdk.module.1.layer"]);
        Assert.Equal("tool-2", labels["io.containersdk.module.2.name"]);
        Assert.Equal("2", labels["io.containersdk.module.2.version"]);
        Assert.Equal(layers[^1].Descriptor.Digest.ToString(), labels["io.containersdk.module.2.layer"]);
        // The manifest's annotations carry the same keys.
        Assert.Equal("data-1.0,tool-2", manifest.Annotations!["io.containersdk.modules"]);
        Assert.Equal("MIT", manifest.Annotations["io.containersdk.module.1.license"]);
    }
}
