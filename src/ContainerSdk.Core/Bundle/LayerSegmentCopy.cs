using System.Security.Cryptography;
using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// Makes bundle segments out of the layer blobs that hold them (<see cref="LayerSegments"/>): a layer cut its gzip
/// members where the segment begins and ends, so its bytes there are exactly what compressing the segment gives.
/// They are copied into the segment cache inside the kernel and recorded with the digest taken as the layer was
/// written; a blob <see cref="BlobStamps"/> does not vouch for is read and hashed on the way instead, and one whose
/// bytes no longer match leaves the segment to be compressed.
/// </summary>
internal static class LayerSegmentCopy
{
    /// <summary>Writes each wanted segment (name, cache path) that a layer blob holds; returns the names written.</summary>
    public static HashSet<string> Take(IEnumerable<(string Name, string Path)> wanted, WorkPaths paths, IReadOnlyList<string> layerBlobs)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var stamps = new BlobStamps(paths.BlobStamps);
        var indexes = layerBlobs.Distinct(StringComparer.Ordinal)
            .Select(blob => (Blob: blob, ByName: LayerSegments.Load(paths.LayerSegments, blob)))
            .Where(x => x.ByName is not null)
            .ToList();
        if (indexes.Count == 0) return taken;
        foreach (var (name, path) in wanted)
            foreach (var (blob, byName) in indexes)
                if (byName!.TryGetValue(name, out var segment))
                {
                    if (TryCopy(blob, stamps, segment, path)) taken.Add(name);
                    break;
                }
        return taken;
    }

    private static bool TryCopy(string blob, BlobStamps stamps, BlobSegment segment, string segmentPath)
    {
        using var temp = new TempFile(segmentPath);
        try
        {
            using var input = new FileStream(blob, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            using var output = new FileStream(temp.Path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            if (input.Length < segment.Offset + segment.Length) return false;
            if (FileIdentity.Of(input.SafeFileHandle) is { } identity && stamps.Vouches(blob, identity)) FileAppend.AppendRange(input, segment.Offset, segment.Length, output);
            else if (!CopyHashed(input, segment, output)) return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // the blob is gone or unreadable: the segment is compressed as if no layer held it
        }
        temp.Commit();
        SegmentSum.Record(segmentPath, Digest.Parse("sha256:" + segment.Sha256));
        return true;
    }

    private static bool CopyHashed(FileStream input, BlobSegment segment, FileStream output)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        input.Position = segment.Offset;
        for (long left = segment.Length; left > 0;)
        {
            int n = input.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n <= 0) return false;
            hash.AppendData(buffer, 0, n);
            output.Write(buffer, 0, n);
            left -= n;
        }
        return Convert.ToHexString(hash.GetHashAndReset()).Equals(segment.Sha256, StringComparison.OrdinalIgnoreCase);
    }
}
