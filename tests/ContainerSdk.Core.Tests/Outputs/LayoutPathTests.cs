using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Tests.Layers;

using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Outputs;

/// <summary>Where an image layout may be written, and what its clean-up may delete.</summary>
public sealed class LayoutPathTests
{
    private static (EngineRun Run, IReadOnlyList<BuiltLayer> Layers) Built(string prefix)
    {
        var run = new EngineRun(prefix);
        var layers = run.Layers(new[] { EngineRun.Base(Tree.Rootfs(run.Dir.Combine("rootfs"))) });
        return (run, layers);
    }

    private static ImageSettings Settings => new() { Repository = "site", Tags = new[] { "1.0" } };

    [Fact]
    public void The_root_folder_as_layout_is_a_coded_error()
    {
        var (run, layers) = Built("lroot");
        using var _ = run;
        var e = Assert.Throws<ContainerSdkException>(() => ContainerEngine.WriteImage(layers, Settings, "/", run.Log));
        Assert.Equal(Codes.InvalidLayoutPath, e.Code);
        Assert.Contains("ContainerImageLayoutPath '/'", e.Message);
    }

    [Fact]
    public void A_folder_of_the_users_is_refused_and_keeps_its_files()
    {
        var (run, layers) = Built("luser");
        using var _ = run;
        var project = run.Dir.Combine("project");
        var notes = Tree.File(project, "blobs/sha256/notes.txt", "my notes\n");
        Tree.File(project, "site.containerproj", "<Project />\n");

        var e = Assert.Throws<ContainerSdkException>(() => ContainerEngine.WriteImage(layers, Settings, project, run.Log));
        Assert.Equal(Codes.InvalidLayoutPath, e.Code);
        Assert.Equal("my notes\n", File.ReadAllText(notes));
        Assert.False(File.Exists(Path.Combine(project, "index.json")));
    }

    [Fact]
    public void An_empty_folder_or_an_earlier_layout_is_written_and_cleaned_of_digest_named_blobs_only()
    {
        var (run, layers) = Built("lgc");
        using var _ = run;
        Directory.CreateDirectory(run.Layout);
        ContainerEngine.WriteImage(layers, Settings, run.Layout, run.Log);
        var blobs = Path.Combine(run.Layout, "blobs", "sha256");
        var stale = Tree.File(blobs, new string('a', 64), "an earlier build's blob");
        var foreign = Tree.File(blobs, "notes.txt", "not a blob of ours");

        var result = ContainerEngine.WriteImage(layers, Settings, run.Layout, run.Log);

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(foreign));
        Assert.True(File.Exists(Path.Combine(blobs, result.ManifestDigest.Hex)));
    }

    [Fact]
    public void A_cached_blob_damaged_after_the_layers_step_is_a_cache_error_and_the_next_build_rebuilds_it()
    {
        var (run, layers) = Built("ldmg");
        using var _ = run;
        var blob = layers[0].BlobPath;
        File.WriteAllBytes(blob, File.ReadAllBytes(blob)[..^10]);

        var e = Assert.Throws<ContainerSdkException>(() => ContainerEngine.WriteImage(layers, Settings, run.Layout, run.Log));
        Assert.Equal(Codes.CacheEntryRebuilt, e.Code);

        var again = run.Layers(new[] { EngineRun.Base(run.Dir.Combine("rootfs")) });
        Assert.Contains(run.Log.Warnings, w => w.Code == Codes.CacheEntryRebuilt);
        Assert.Equal(layers[0].Descriptor.Digest, again[0].Descriptor.Digest);
        ContainerEngine.WriteImage(again, Settings, run.Layout, run.Log);
    }
}
