using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// A store of the bundle's compressed segments that other machines fill (ContainerCacheRepository), behind the segment
/// folder: a fresh machine asks it for the segments no layer blob holds whole (where the flattened tree interleaves the
/// entries of several layers) before compressing them, and a build puts there the segments it had to compress. As for
/// layers, it is an optimisation: a failure to read it is a miss, a failure to write it a warning.
/// </summary>
internal interface IBundleSegmentStore
{
    /// <summary>Writes the segment named <paramref name="name"/> (the digest of its entries) to <paramref name="path"/> and returns the digest of its bytes, checked as they came; null when the store does not have it or cannot be read.</summary>
    Task<Digest?> TryFetchAsync(string name, string path);

    /// <summary>Stores the segment compressed at <paramref name="path"/>, whose bytes have <paramref name="digest"/>.</summary>
    Task PutAsync(string name, string path, Digest digest);
}
