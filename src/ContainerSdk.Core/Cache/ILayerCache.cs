using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// Built layers by fingerprint (<see cref="LayerKey"/>). The folder cache in the work folder is the first;
/// <see cref="LayerCacheChain"/> puts another (a registry) behind it, so that a fresh machine with an empty folder cache
/// asks there, and <see cref="PrefetchingLayerCache"/> lets that one start fetching before the files are hashed.
/// </summary>
internal interface ILayerCache
{
    /// <summary>
    /// The layer built before with the key's fingerprint, its blob a local file (a remote cache downloads it,
    /// digest-checked); or a miss, with <see cref="LayerLookup.Problem"/> saying why an entry that was there could not be
    /// used (it is dropped: the layer is rebuilt and put again).
    /// </summary>
    LayerLookup TryGet(LayerKey key);

    /// <summary>Records a layer (its blob a complete local file) under the key's fingerprint, and under its shape where the cache keeps that too.</summary>
    void Put(LayerKey key, LayerBlob blob);

    /// <summary>Whether this cache keeps a blob of that digest and size on this machine: a hit on it costs no download.</summary>
    bool Holds(Descriptor blob) => false;
}

/// <summary>What a layer cache's lookup found: the layer (<see cref="Blob"/>), or null and, when an entry was there but unusable, why.</summary>
internal readonly record struct LayerLookup(LayerBlob? Blob, string? Problem = null)
{
    public static LayerLookup Miss => default;
}
