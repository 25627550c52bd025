using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Tests.Cache;

/// <summary>The prefetch by shape around a chain: when it starts, what it skips, and that it is stopped before the lookup returns.</summary>
public sealed class PrefetchingLayerCacheTests
{
    private static readonly Descriptor Kept = new("application/vnd.oci.image.layer.v1.tar+gzip", Digest.Compute("kept"u8.ToArray()), 4);
    private static readonly Descriptor Elsewhere = new("application/vnd.oci.image.layer.v1.tar+gzip", Digest.Compute("elsewhere"u8.ToArray()), 9);

    /// <summary>A near cache that misses and keeps one blob on this machine.</summary>
    private sealed class Near(List<string> events) : ILayerCache
    {
        public LayerLookup TryGet(LayerKey key) { events.Add($"near lookup {key.Fingerprint[0]}"); return LayerLookup.Miss; }
        public void Put(LayerKey key, LayerBlob blob) => events.Add("near put");
        public bool Holds(Descriptor blob) => blob == Kept;
    }

    /// <summary>A far cache that misses and notes what it was asked to prefetch.</summary>
    private sealed class Far(List<string> events) : ILayerCache, IShapePrefetch
    {
        public Func<Descriptor, bool>? Held { get; private set; }
        public LayerLookup TryGet(LayerKey key) { events.Add($"far lookup {key.Fingerprint[0]}"); return LayerLookup.Miss; }
        public void Put(LayerKey key, LayerBlob blob) => events.Add("far put");

        public IDisposable Prefetch(LayerKey key, Func<Descriptor, bool> held)
        {
            events.Add($"prefetch by shape {key.Shape![0]}");
            Held = held;
            return new Stopped(events);
        }

        private sealed class Stopped(List<string> events) : IDisposable
        {
            public void Dispose() => events.Add("prefetch stopped");
        }
    }

    [Fact]
    public void A_key_whose_fingerprint_reads_files_starts_the_prefetch_before_the_files_are_hashed_and_stops_it_before_the_lookup_returns()
    {
        var events = new List<string>();
        var far = new Far(events);
        var cache = PrefetchingLayerCache.Chain(new Near(events), far);
        var key = new LayerKey(() => { events.Add("files hashed"); return new byte[] { 7 }; }, () => new byte[] { 3 }, readsFiles: true);

        Assert.Null(cache.TryGet(key).Blob);
        events.Add("returned");

        Assert.Equal(new[] { "prefetch by shape 3", "files hashed", "near lookup 7", "far lookup 7", "prefetch stopped", "returned" }, events);
        // It skips what this machine's caches hold.
        Assert.True(far.Held!(Kept));
        Assert.False(far.Held!(Elsewhere));
    }

    [Fact]
    public void A_key_whose_fingerprint_is_known_is_looked_up_without_a_prefetch_and_a_layer_is_put_into_both()
    {
        var events = new List<string>();
        var cache = PrefetchingLayerCache.Chain(new Near(events), new Far(events));
        var key = new LayerKey(() => new byte[] { 5 }, () => new byte[] { 3 }, readsFiles: true);
        Assert.Equal(5, key.Fingerprint[0]); // worked out already (the stat cache knew every file): nothing to overlap

        cache.TryGet(key);
        cache.TryGet(LayerKey.Of(new byte[] { 6 }));
        cache.Put(key, new LayerBlob(Elsewhere, Digest.Compute("tar"u8.ToArray()), 3, "/nowhere"));

        Assert.Equal(new[] { "near lookup 5", "far lookup 5", "near lookup 6", "far lookup 6", "near put", "far put" }, events);
    }
}
