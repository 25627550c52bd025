using ContainerSdk.Core.Blobs;

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
    /// layer is rebuilt and put again).
    /// </summary>
    LayerBlob? TryGet(byte[] fingerprint, out string? problem);

    /// <summary>Records a layer just built (its blob a complete local file) under its fingerprint.</summary>
    void Put(byte[] fingerprint, LayerBlob blob);
}
