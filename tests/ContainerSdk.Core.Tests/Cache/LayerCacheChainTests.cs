using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Tests.Layers;

using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Cache;

/// <summary>A near cache in front of a far one: what a fresh machine with an empty folder cache does.</summary>
public sealed class LayerCacheChainTests
{
    [Fact]
    public void An_empty_near_cache_takes_the_layer_from_the_far_one_keeps_it_and_puts_new_layers_into_both()
    {
        using var run = new EngineRun("chain");
        var built = run.Layers(new[] { EngineRun.Base(Tree.Rootfs(run.Dir.Combine("rootfs"))) });
        var farPaths = new WorkPaths(run.Work);
        var far = new FolderLayerCache(farPaths);
        var fingerprint = Directory.GetFiles(Path.Combine(farPaths.LayerCache, "selectors")).Select(Path.GetFileName).Single()!;

        var nearPaths = new WorkPaths(run.Dir.Combine("fresh"));
        var near = new FolderLayerCache(nearPaths);
        var chain = new LayerCacheChain(near, far);
        var key = LayerKey.Of(Convert.FromHexString(fingerprint));

        Assert.Null(near.TryGet(key).Blob);
        var (blob, problem) = chain.TryGet(key);
        Assert.Null(problem);
        Assert.Equal(built[0].Descriptor.Digest, blob!.Descriptor.Digest);
        // Kept near: a copy (or link) in the near folder, found without the far cache.
        var kept = near.TryGet(key).Blob;
        Assert.NotNull(kept);
        Assert.StartsWith(nearPaths.Blobs, kept!.BlobPath);
        Assert.Equal(File.ReadAllBytes(built[0].BlobPath), File.ReadAllBytes(kept.BlobPath));

        // A layer built on this machine goes into both.
        var other = new byte[32];
        other[0] = 1;
        chain.Put(LayerKey.Of(other), kept);
        Assert.NotNull(far.TryGet(LayerKey.Of(other)).Blob);
        Assert.NotNull(near.TryGet(LayerKey.Of(other)).Blob);
    }
}
