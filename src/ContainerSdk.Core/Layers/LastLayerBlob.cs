using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// The blob a layer position had after its last build (its path, kept beside the position's journal) and the bundle
/// segments that blob holds: when the layer has to be written again, every segment whose entries did not change is
/// copied out of it (<see cref="LayerBlobWriter.CopySegment"/>) instead of being compressed again, so one changed file
/// costs a segment or two and a copy, not the whole module. Only a hint: a blob gone or without an index means a full
/// write, and copied bytes are checked against the segment's SHA-256 as they are copied.
/// </summary>
internal sealed class LastLayerBlob(string recordPath)
{
    /// <summary>The last blob, where it holds which segment, and whether its bytes are still the ones that index describes.</summary>
    public sealed record Source(string Blob, IReadOnlyDictionary<string, BlobSegment> Segments, bool Trusted);

    /// <summary>The last blob and its segments by name, when both are still there; trusted while <see cref="BlobStamps"/> vouches for it.</summary>
    public Source? Load(WorkPaths paths)
    {
        string blob;
        try { blob = File.ReadAllText(recordPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        if (!Path.IsPathFullyQualified(blob) || FileIdentity.Of(blob) is not { } identity) return null;
        return LayerSegments.Load(paths.LayerSegments, blob) is { Count: > 0 } segments
            ? new Source(blob, segments, new BlobStamps(paths.BlobStamps).Vouches(blob, identity))
            : null;
    }

    public void Record(string blobPath)
    {
        try
        {
            if (File.ReadAllText(recordPath) == blobPath) return; // a no-op build writes nothing
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        Directory.CreateDirectory(Path.GetDirectoryName(recordPath)!);
        using var temp = new TempFile(recordPath);
        temp.WriteAllText(blobPath);
        temp.Commit();
    }
}
