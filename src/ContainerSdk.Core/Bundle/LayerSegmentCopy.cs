using System.Security.Cryptography;
using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// Bundle segments taken out of the layer blobs that hold them (<see cref="LayerSegments"/>): a layer cut its gzip
/// members where the segment begins and ends, so its bytes there are exactly what compressing the segment gives. They
/// are appended to the bundle straight from the blob, inside the kernel, and never stored a second time in the segment
/// cache: the layer blob is the cached copy (writing them there too cost a second write of the whole tree on a cold or
/// fresh build, and as much disk again). A blob <see cref="BlobStamps"/> does not vouch for is read and hashed on the way
/// instead; one whose bytes no longer match its segment's digest fails the copy, and the segment is compressed.
/// </summary>
internal static class LayerSegmentCopy
{
    /// <summary>A segment's place in a layer blob.</summary>
    public sealed record Source(string Blob, BlobSegment Segment);

    /// <summary>Where each wanted segment lies in one of the layer blobs, by name; segments no blob holds are left out.</summary>
    public static Dictionary<string, Source> Find(IEnumerable<string> wanted, WorkPaths paths, IReadOnlyList<string> layerBlobs)
    {
        var found = new Dictionary<string, Source>(StringComparer.Ordinal);
        var indexes = layerBlobs.Distinct(StringComparer.Ordinal)
            .Where(File.Exists) // a blob gone since the layers step: its segments are compressed, quietly
            .Select(blob => (Blob: blob, ByName: LayerSegments.Load(paths.LayerSegments, blob)))
            .Where(x => x.ByName is not null)
            .ToList();
        if (indexes.Count == 0) return found;
        foreach (var name in wanted)
            foreach (var (blob, byName) in indexes)
                if (byName!.TryGetValue(name, out var segment))
                {
                    found[name] = new Source(blob, segment);
                    break;
                }
        return found;
    }

    /// <summary>
    /// Appends the segment to <paramref name="output"/>; false when its blob is gone or short, or (not vouched for)
    /// its bytes are not the segment's: what was appended must then be thrown away with the output.
    /// </summary>
    public static bool CopyTo(Source source, BlobStamps stamps, FileStream output)
    {
        var (blob, segment) = source;
        try
        {
            using var input = new FileStream(blob, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            if (input.Length < segment.Offset + segment.Length) return false;
            if (FileIdentity.Of(input.SafeFileHandle) is { } identity && stamps.Vouches(blob, identity))
            {
                FileAppend.AppendRange(input, segment.Offset, segment.Length, output);
                return true;
            }
            return CopyHashed(input, segment, output);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or EndOfStreamException)
        {
            return false; // the blob is gone or shorter than recorded: the segment is compressed as if no layer held it
        }
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
