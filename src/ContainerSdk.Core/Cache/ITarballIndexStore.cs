using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// Where the tarball indexes of registry base images' layers are shared between machines (ContainerCacheRepository), by
/// diff_id: a build that downloaded and indexed a base layer puts its index there, and a build that needs no layer's
/// bytes (publish only) plans the layer from it and leaves the blob in its registry. An optimisation: a failure to read
/// it is a miss (the layer is downloaded as before), a failure to write it a warning.
/// </summary>
internal interface ITarballIndexStore
{
    /// <summary>The index of the layer whose diff_id is <paramref name="diffId"/>, digest-checked, or null.</summary>
    byte[]? TryGet(Digest diffId);

    /// <summary>Stores the index file at <paramref name="path"/> under <paramref name="diffId"/>.</summary>
    void Put(Digest diffId, string path);
}
