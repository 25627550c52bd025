using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// ContainerCacheRepository behind the folder cache (<see cref="LayerCacheChain"/>): a layer a fresh machine has never
/// built is taken from the registry, its blob downloaded into the blob store and digest-checked first. The blob's
/// segment index travels with it (<see cref="LayerSegments.ToPortable"/>), so the fresh machine's bundle copies segments
/// out of the downloaded blob instead of compressing them. Each layer is also tagged by its shape, so that a fresh
/// machine starts downloading the likely blob before it has hashed the files (<see cref="Prefetch"/>).
/// </summary>
public sealed class RegistryLayerCache(LayerCacheRepository repository) : ILayerCache
{
    public LayerBlob? TryGet(byte[] fingerprint, LayerPrefetch? prefetch, out string? problem)
    {
        problem = null;
        // Another cache's prefetch is not this one's to use (a chain hands each cache only its own).
        var started = (prefetch as Started)?.Downloads;
        if (repository.TryGetAsync(fingerprint, started).GetAwaiter().GetResult() is not { } hit) return null;
        return new LayerBlob(hit.Blob, hit.DiffId, hit.UncompressedSize, hit.Path)
        {
            Origin = $"the registry cache {repository.Registry}/{repository.Repository}",
            Segments = hit.SegmentIndex is { } index ? LayerSegments.FromPortable(index, hit.Blob.Size) : null,
            Prefetched = hit.Prefetched,
        };
    }

    public void Put(byte[] fingerprint, byte[]? shape, LayerBlob blob) =>
        repository.TryPutAsync(fingerprint, shape, new CachedLayer(blob.Descriptor, blob.DiffId, blob.UncompressedSize, blob.BlobPath)
        {
            SegmentIndex = blob.Segments is { } segments ? LayerSegments.ToPortable(segments) : null,
        }).GetAwaiter().GetResult();

    public LayerPrefetch Prefetch(byte[] shape, Func<Descriptor, bool>? held = null) => new Started(repository.Prefetch(shape, held));

    private sealed class Started(LayerCachePrefetch downloads) : LayerPrefetch
    {
        public LayerCachePrefetch Downloads => downloads;
        public override void Dispose() => downloads.Dispose();
    }
}
