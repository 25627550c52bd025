using System.Collections.Concurrent;
using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// ContainerCacheRepository behind the folder cache (<see cref="LayerCacheChain"/>): a layer a fresh machine has never
/// built is taken from the registry, its blob downloaded into the blob store and digest-checked first. The blob's
/// segment index travels with it (<see cref="LayerSegments.ToPortable"/>), so the fresh machine's bundle copies segments
/// out of the downloaded blob instead of compressing them. Each layer is also tagged by its shape, so that a fresh
/// machine starts downloading the likely blob before it has hashed the files (<see cref="Prefetch"/>, started by
/// <see cref="PrefetchingLayerCache"/>).
/// </summary>
/// <param name="leaveBlobsThere">Nothing of this build needs a layer's bytes (GenerateContainerImageLayout false, no bundle,
/// archive or SquashFS image): a hit is left in the registry, vouched for by its HEAD answer, and publishing mounts or streams it.</param>
internal sealed class RegistryLayerCache(LayerCacheRepository repository, bool leaveBlobsThere = false) : ILayerCache, IShapePrefetch
{
    // What each key's prefetch is downloading, until its lookup is done: the lookup of that key alone uses it.
    private readonly ConcurrentDictionary<LayerKey, LayerCachePrefetch> _prefetches = new(ReferenceEqualityComparer.Instance);

    public LayerLookup TryGet(LayerKey key)
    {
        _prefetches.TryGetValue(key, out var started);
        var found = leaveBlobsThere ? repository.TryFindAsync(key.Fingerprint) : repository.TryGetAsync(key.Fingerprint, started);
        if (found.GetAwaiter().GetResult() is not { } hit) return LayerLookup.Miss;
        return new LayerLookup(new LayerBlob(hit.Blob, hit.DiffId, hit.UncompressedSize, hit.Path)
        {
            Remote = hit.Remote ? $"{repository.Registry}/{repository.Repository}" : null,
            Origin = $"the registry cache {repository.Registry}/{repository.Repository}",
            Segments = hit.SegmentIndex is { } index ? LayerSegments.FromPortable(index, hit.Blob.Size) : null,
            Prefetched = hit.Prefetched,
        });
    }

    public void Put(LayerKey key, LayerBlob blob) =>
        repository.TryPutAsync(key.Fingerprint, key.Shape, new CachedLayer(blob.Descriptor, blob.DiffId, blob.UncompressedSize, blob.BlobPath)
        {
            SegmentIndex = blob.Segments is { } segments ? LayerSegments.ToPortable(segments) : null,
        }).GetAwaiter().GetResult();

    public IDisposable Prefetch(LayerKey key, Func<Descriptor, bool> held)
    {
        var downloads = repository.Prefetch(key.Shape ?? throw new ArgumentException("The layer has no shape to prefetch by.", nameof(key)), held);
        _prefetches[key] = downloads;
        return new Started(() =>
        {
            _prefetches.TryRemove(key, out _);
            downloads.Dispose();
        });
    }

    private sealed class Started(Action stop) : IDisposable
    {
        public void Dispose() => stop();
    }
}
