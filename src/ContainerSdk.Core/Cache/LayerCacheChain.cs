using ContainerSdk.Core.Blobs;

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

    public LayerPrefetch? Prefetch(byte[] shape) => far.Prefetch(shape);
}
