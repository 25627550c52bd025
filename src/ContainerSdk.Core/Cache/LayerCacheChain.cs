using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// A near cache in front of a far one: a layer is looked up near, then far (and then kept near, so the far one is
/// asked once); a layer built is put into both.
/// </summary>
internal sealed class LayerCacheChain(ILayerCache near, ILayerCache far) : ILayerCache
{
    public LayerLookup TryGet(LayerKey key)
    {
        var nearby = near.TryGet(key);
        if (nearby.Blob is not null) return nearby;
        var remote = far.TryGet(key);
        // A blob left in the registry (a build that needs no layer's bytes) is not this machine's to keep.
        if (remote.Blob is { Remote: null } blob) near.Put(key, blob);
        return remote with { Problem = remote.Problem ?? nearby.Problem };
    }

    public void Put(LayerKey key, LayerBlob blob)
    {
        near.Put(key, blob);
        far.Put(key, blob);
    }

    public bool Holds(Descriptor blob) => near.Holds(blob) || far.Holds(blob);
}
