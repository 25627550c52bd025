using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// Built layers by fingerprint (<see cref="LayerFingerprint"/>: every header and content hash, the compression and the
/// tool version). The folder cache in the work folder is the first; <see cref="LayerCacheChain"/> puts another (a
/// registry) behind it, so that a fresh machine with an empty folder cache asks there.
/// </summary>
public interface ILayerCache
{
    /// <summary>
    /// The layer built before with this fingerprint, its blob a local file (a remote cache downloads it, digest-checked),
    /// or null; <paramref name="problem"/> says why an entry that was there could not be used (it is dropped: the
    /// layer is rebuilt and put again). <paramref name="prefetch"/> is what this cache's <see cref="Prefetch"/> started
    /// for the layer, if anything: only the cache that started it reads it.
    /// </summary>
    LayerBlob? TryGet(byte[] fingerprint, LayerPrefetch? prefetch, out string? problem);

    /// <summary>
    /// Records a layer (its blob a complete local file) under its fingerprint, and under its <paramref name="shape"/> where
    /// the cache keeps that too (null: a layer copied from a farther cache, whose shape is recorded there already).
    /// </summary>
    void Put(byte[] fingerprint, byte[]? shape, LayerBlob blob);

    /// <summary>
    /// Before a layer's files are hashed (a fresh machine's first build of it), a cache whose hits are slow to fetch may
    /// start fetching the layer last put with the same <paramref name="shape"/> (<see cref="LayerFingerprint.Shape"/>);
    /// the lookup by fingerprint then waits for it if, and only if, its own entry is that layer. Null: nothing started.
    /// It fetches no blob that <paramref name="held"/> says this machine has already (a nearer cache's).
    /// </summary>
    LayerPrefetch? Prefetch(byte[] shape, Func<Descriptor, bool>? held = null) => null;

    /// <summary>Whether this cache keeps a blob of that digest and size on this machine: a hit on it costs no download.</summary>
    bool Holds(Descriptor blob) => false;
}

/// <summary>
/// What a cache's <see cref="ILayerCache.Prefetch"/> started for one layer; handed back to its lookup. Disposing it
/// (once the lookup is done, or the build failed) stops what the lookup did not take and deletes what it left.
/// </summary>
public abstract class LayerPrefetch : IDisposable
{
    public abstract void Dispose();
}
