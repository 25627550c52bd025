using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// A far cache whose hits are slow to fetch (a registry), which can start fetching a layer by its shape before the
/// layer's fingerprint is known.
/// </summary>
internal interface IShapePrefetch
{
    /// <summary>
    /// Starts fetching the layer last put with the key's shape, none of its blobs that <paramref name="held"/> says this
    /// machine has already; this cache's own lookup of the same key then waits for it if, and only if, the fingerprint's
    /// entry is that layer. Disposing it (once the lookup is done) stops what the lookup did not take and deletes what it left.
    /// </summary>
    IDisposable Prefetch(LayerKey key, Func<Descriptor, bool> held);
}

/// <summary>
/// The prefetch by shape, around a chain: when a layer's files must be read and hashed before its fingerprint is known
/// (a fresh runner's first build of it), the far cache starts downloading the layer last built with the same headers
/// meanwhile, since the hashing and the download take about as long and only the fingerprint decides. Whatever the
/// lookup did not take is stopped before it returns: the layer is then written, and a download would compete for the cores.
/// </summary>
internal sealed class PrefetchingLayerCache(ILayerCache chain, IShapePrefetch far) : ILayerCache
{
    /// <summary><paramref name="near"/> in front of <paramref name="far"/> (<see cref="LayerCacheChain"/>), the far cache prefetching by shape.</summary>
    public static ILayerCache Chain<TFar>(ILayerCache near, TFar far) where TFar : ILayerCache, IShapePrefetch =>
        new PrefetchingLayerCache(new LayerCacheChain(near, far), far);

    public LayerLookup TryGet(LayerKey key)
    {
        if (!key.ReadsFiles) return chain.TryGet(key);
        // A folder kept from an earlier build (a CI cache folder, obj/ gone) holds the blob the far cache's shape entry
        // names: its lookup will hit near, and a download meanwhile would only compete with the hashing and leave a second copy.
        using var started = far.Prefetch(key, chain.Holds);
        return chain.TryGet(key);
    }

    public void Put(LayerKey key, LayerBlob blob) => chain.Put(key, blob);

    public bool Holds(Descriptor blob) => chain.Holds(blob);
}
