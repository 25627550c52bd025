using ContainerSdk.Core.Blobs;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// A near cache in front of a far one: a layer is looked up near, then far (and then kept near, so the far one is
/// asked once); a layer built is put into both.
/// </summary>
public sealed class LayerCacheChain(ILayerCache near, ILayerCache far) : ILayerCache
{
    public LayerBlob? TryGet(byte[] fingerprint, out string? problem)
    {
        if (near.TryGet(fingerprint, out problem) is { } found) return found;
        var nearProblem = problem;
        var remote = far.TryGet(fingerprint, out problem);
        problem ??= nearProblem;
        if (remote is not null) near.Put(fingerprint, remote);
        return remote;
    }

    public void Put(byte[] fingerprint, LayerBlob blob)
    {
        near.Put(fingerprint, blob);
        far.Put(fingerprint, blob);
    }
}
