using ContainerSdk.Core.IO;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// The bundle's segments in ContainerCacheRepository, beside the layers (<see cref="LayerCacheRepository"/>: one small
/// manifest per segment, tagged by its name, pointing at its gzip members). A segment taken from there is downloaded into
/// the blob store, digest-checked, and linked (or copied) into the segment folder under its name.
/// </summary>
internal sealed class RegistrySegmentStore(LayerCacheRepository repository) : IBundleSegmentStore
{
    public async Task<Digest?> TryFetchAsync(string name, string path)
    {
        if (await repository.TryGetSegmentAsync(name) is not { } hit) return null;
        using var temp = new TempFile(path);
        temp.LinkOrCopy(hit.BlobPath); // the download is in the blob store already: no second copy of its bytes
        temp.Commit();
        return hit.Digest;
    }

    public Task PutAsync(string name, string path, Digest digest) => repository.TryPutSegmentAsync(name, path, digest);
}
