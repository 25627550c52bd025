using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Core.Cache;

/// <summary>ContainerCacheRepository as the store of base layers' tarball indexes (<see cref="LayerCacheRepository.IndexTag"/>).</summary>
internal sealed class RegistryTarballIndexStore(LayerCacheRepository repository) : ITarballIndexStore
{
    public byte[]? TryGet(Digest diffId) => repository.TryGetTarballIndexAsync(diffId).GetAwaiter().GetResult();

    public void Put(Digest diffId, string path) => repository.TryPutTarballIndexAsync(diffId, path).GetAwaiter().GetResult();
}
