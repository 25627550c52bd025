using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// A near cache in front of a far one: a layer is looked up near, then far (and then kept near, so the far one is
/// asked once); a layer built is put into both. Only the far cache is slow enough to be worth a prefetch.
/// </summary>
public sealed class LayerCacheChain(ILayerCache near, ILayerCache far) : ILayerCache
{
    public LayerBlob? TryGet(byte[] fingerprint, LayerPrefetch? prefetch, out string? problem)
    {
        if (near.TryGet(fingerprint, null, out problem) is { } found) return found;
        var nearProblem = problem;
        var remote = far.TryGet(fingerprint, prefetch, out problem);
        problem ??= nearProblem;
        if (remote is not null) near.Put(fingerprint, null, remote);
        return remote;
    }

    public void Put(byte[] fingerprint, byte[]? shape, LayerBlob blob)
    {
        near.Put(fingerprint, shape, blob);
        far.Put(fingerprint, shape, blob);
    }

    // A folder kept from an earlier build (a CI cache folder, obj/ gone) holds the blob the far cache's shape entry names:
    // its lookup will hit near, and a download meanwhile would only compete with the hashing and leave a second copy.
    public LayerPrefetch? Prefetch(byte[] shape, Func<Descriptor, bool>? held = null) =>
        far.Prefetch(shape, blob => near.Holds(blob) || held?.Invoke(blob) == true);
}
