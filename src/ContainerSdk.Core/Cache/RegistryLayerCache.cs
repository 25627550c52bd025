using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// ContainerCacheRepository behind the folder cache (<see cref="LayerCacheChain"/>): a layer a fresh machine has never
/// built is taken from the registry, its blob downloaded into the blob store and digest-checked first. The blob's
/// segment index travels with it (<see cref="LayerSegments.ToPortable"/>), so the fresh machine's bundle copies segments
/// out of the downloaded blob instead of compressing them.
/// </summary>
public sealed class RegistryLayerCache(LayerCacheRepository repository) : ILayerCache
{
    public LayerBlob? TryGet(byte[] fingerprint, out string? problem)
    {
        problem = null;
        if (repository.TryGetAsync(fingerprint).GetAwaiter().GetResult() is not { } hit) return null;
        return new LayerBlob(hit.Blob, hit.DiffId, hit.UncompressedSize, hit.Path)
        {
            Origin = $"the registry cache {repository.Registry}/{repository.Repository}",
            Segments = hit.SegmentIndex is { } index ? LayerSegments.FromPortable(index, hit.Blob.Size) : null,
        };
    }

    public void Put(byte[] fingerprint, LayerBlob blob) =>
        repository.TryPutAsync(fingerprint, new CachedLayer(blob.Descriptor, blob.DiffId, blob.UncompressedSize, blob.BlobPath)
        {
            SegmentIndex = blob.Segments is { } segments ? LayerSegments.ToPortable(segments) : null,
        }).GetAwaiter().GetResult();
}
