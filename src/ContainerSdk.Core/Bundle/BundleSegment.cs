using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// One segment of the bundle: entries of the flattened tree cut at a content-defined boundary (<see cref="SegmentCutter"/>),
/// compressed as a gzip member of its own and cached in the segment folder under the digest of its entries.
/// </summary>
internal sealed class BundleSegment
{
    private readonly List<PlannedEntry> _entries;
    private readonly LayerCompressionLevel _level;

    /// <param name="level">ContainerLayerCompressionLevel: the segment's deflate levels, and part of its name.</param>
    public BundleSegment(List<PlannedEntry> entries, string directory, LayerCompressionLevel level = LayerCompressionLevel.Default)
    {
        _entries = entries;
        _level = level;
        Name = SegmentCutter.Name(entries, level);
        Path = System.IO.Path.Combine(directory, Name + ".gz");
    }

    /// <summary>The digest of its entries (headers and content hashes), as <see cref="SegmentCutter.Name"/> gives it.</summary>
    public string Name { get; }

    /// <summary>The cached gzip member, named by the digest of its entries (headers and content hashes).</summary>
    public string Path { get; }

    /// <summary>The digest of the bytes <see cref="Compress"/> wrote in this build, if it ran.</summary>
    public Digest? Written { get; private set; }

    /// <summary>Takes the segment from the far store into the segment folder; false when the store does not have it.</summary>
    public async Task<bool> FetchAsync(IBundleSegmentStore store)
    {
        if (await store.TryFetchAsync(Name, Path) is not { } digest) return false;
        SegmentSum.Record(Path, digest);
        return true;
    }

    public void Compress()
    {
        using var temp = new TempFile(Path);
        Digest digest;
        using (var file = temp.Create())
        using (var hashed = new HashingWriteStream(file)) // the segment's digest as it is written, not read back
        using (var gzip = new ParallelGzipStream(hashed, _level))
        using (var tar = new TarWriter(gzip, leaveOpen: true) { EndArchiveOnDispose = false })
        {
            foreach (var entry in _entries)
            {
                if (!entry.HasData) { tar.WriteEntry(entry.Header); continue; }
                using var content = entry.Content.Open();
                if (entry.Content is not FileContent source) { tar.WriteEntry(entry.Header, content); continue; }
                // The file is read a second time here, after its layer: a same-size rewrite in between would
                // put other bytes in the bundle than in the image, under a segment name that says otherwise.
                using var hashing = new HashingReadStream(content);
                tar.WriteEntry(entry.Header, hashing);
                if (entry.ContentHash is { } expected && !hashing.GetHash().AsSpan().SequenceEqual(expected))
                    throw new ContainerSdkException(Codes.FileChangedWhileReading,
                        $"'{source.Path}' changed while the build was reading it (its layer and the bundle would differ); build again once it is no longer being written.", source.Path);
            }
            gzip.Align(); // padded as a layer pads it: the same bytes, copied or compressed
            gzip.Finish();
            digest = hashed.GetDigest();
        }
        temp.Commit();
        SegmentSum.Record(Path, digest);
        Written = digest;
    }
}
