using System.Globalization;
using System.Text;
using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// The bundle segments a gzip layer blob holds (<see cref="LayerBlobWriter.EndSegment"/>), kept beside the layer
/// cache under the blob's digest: a later bundle copies a segment's compressed bytes out of the blob instead of
/// compressing the same tar bytes again. The record holds for the digest's bytes; whether the blob on disk still has
/// them is <see cref="BlobStamps"/>' to say. The same lines travel with the layer through ContainerCacheRepository
/// (<see cref="ToPortable"/>), so a fresh machine copies segments too.
/// </summary>
internal static class LayerSegments
{
    private const string Magic = "csdk-layer-segments-3";
    private const string PortableMagic = "csdk-layer-segments-portable-2";

    /// <param name="directory"><see cref="WorkPaths.LayerSegments"/>.</param>
    public static string PathOf(string directory, string blobPath) => Path.Combine(directory, Path.GetFileName(blobPath));

    public static void Record(string directory, string blobPath, IReadOnlyList<BlobSegment> segments)
    {
        var path = PathOf(directory, blobPath);
        using var temp = new TempFile(path);
        using (var writer = new StreamWriter(temp.Create()))
        {
            writer.Write(Magic + "\n");
            foreach (var s in segments) writer.Write(Line(s));
        }
        temp.Commit();
    }

    /// <summary>The recorded segments of a blob by name; null when there is no usable record.</summary>
    public static Dictionary<string, BlobSegment>? Load(string directory, string blobPath)
    {
        string[] lines;
        try { lines = File.ReadAllLines(PathOf(directory, blobPath)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        if (lines.Length < 1 || lines[0] != Magic) return null;
        var byName = new Dictionary<string, BlobSegment>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            if (Parse(line) is not { } segment) return null;
            byName[segment.Name] = segment;
        }
        return byName;
    }

    /// <summary>The index as another machine can use it: no stamp (it names a file of this machine).</summary>
    public static byte[] ToPortable(IReadOnlyList<BlobSegment> segments) =>
        Encoding.UTF8.GetBytes(PortableMagic + "\n" + string.Concat(segments.Select(Line)));

    /// <summary>
    /// An index from another machine (a registry cache entry, its digest already checked), or null unless every segment
    /// is well-formed and they lie in order inside a blob of <paramref name="blobSize"/> bytes: what the bundle then
    /// copies is always bytes of the digest-checked layer blob, and each is checked again against its SHA-256.
    /// </summary>
    public static IReadOnlyList<BlobSegment>? FromPortable(byte[] bytes, long blobSize)
    {
        string text;
        try { text = new UTF8Encoding(false, true).GetString(bytes); }
        catch (DecoderFallbackException) { return null; }
        var lines = text.Split('\n');
        if (lines[0] != PortableMagic || lines[^1].Length != 0) return null;
        var segments = new List<BlobSegment>();
        long end = 0;
        foreach (var line in lines.AsSpan(1, lines.Length - 2))
        {
            if (Parse(line) is not { } s || !IsHex64(s.Name) || !IsHex64(s.Sha256) || s.Offset < end || s.Length <= 0 || s.Length > blobSize - s.Offset)
                return null;
            end = s.Offset + s.Length;
            segments.Add(s);
        }
        return segments;
    }

    private static string Line(BlobSegment s) => FormattableString.Invariant($"{s.Name} {s.Offset} {s.Length} {s.Sha256}\n");

    private static BlobSegment? Parse(string line)
    {
        var f = line.Split(' ');
        return f.Length == 4 && long.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
               && long.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            ? new BlobSegment(f[0], offset, length, f[3]) : null;
    }

    private static bool IsHex64(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigitLower);
}
