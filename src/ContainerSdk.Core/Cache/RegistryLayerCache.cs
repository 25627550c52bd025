using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// ContainerCacheRepository behind the folder cache (<see cref="LayerCacheChain"/>): a layer a fresh machine has never
/// built is taken from the registry, its blob downloaded into the work folder's blobs and digest-checked first.
/// </summary>
public sealed class RegistryLayerCache(LayerCacheRepository repository) : ILayerCache
{
    public LayerBlob? TryGet(byte[] fingerprint, out string? problem)
    {
        problem = null;
        return repository.TryGetAsync(fingerprint).GetAwaiter().GetResult() is { } hit
            ? new LayerBlob(hit.Blob, hit.DiffId, hit.UncompressedSize, hit.Path) { Origin = $"the registry cache {repository.Registry}/{repository.Repository}" }
            : null;
    }

    public void Put(byte[] fingerprint, LayerBlob blob) =>
        repository.TryPutAsync(fingerprint, new CachedLayer(blob.Descriptor, blob.DiffId, blob.UncompressedSize, blob.BlobPath)).GetAwaiter().GetResult();
}
