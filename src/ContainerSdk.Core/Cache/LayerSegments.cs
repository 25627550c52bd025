using System.Globalization;
using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// The bundle segments a gzip layer blob holds (<see cref="LayerBlobWriter.EndSegment"/>), kept beside the layer
/// cache under the blob's digest: a later bundle copies a segment's compressed bytes out of the blob instead of
/// compressing the same tar bytes again. The record holds for the digest's bytes; whether the blob on disk still has
/// them is <see cref="BlobStamps"/>' to say.
/// </summary>
internal static class LayerSegments
{
    private const string Magic = "csdk-layer-segments-2";

    /// <param name="directory"><see cref="WorkPaths.LayerSegments"/>.</param>
    public static string PathOf(string directory, string blobPath) => Path.Combine(directory, Path.GetFileName(blobPath));

    public static void Record(string directory, string blobPath, IReadOnlyList<BlobSegment> segments)
    {
        var path = PathOf(directory, blobPath);
        using var temp = new TempFile(path);
        using (var writer = new StreamWriter(temp.Path))
        {
            writer.Write(Magic + "\n");
            foreach (var s in segments)
                writer.Write(FormattableString.Invariant($"{s.Name} {s.Offset} {s.Length} {s.Sha256}\n"));
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
            var f = line.Split(' ');
            if (f.Length != 4 || !long.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
                || !long.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var length)) return null;
            byName[f[0]] = new BlobSegment(f[0], offset, length, f[3]);
        }
        return byName;
    }
}
