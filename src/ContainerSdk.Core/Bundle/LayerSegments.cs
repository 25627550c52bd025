using System.Globalization;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Bundle;

/// <summary>One bundle segment inside a layer blob: its members' bytes and their SHA-256 (hex).</summary>
internal sealed record LayerSegment(string Name, long Offset, long Length, string Sha256);

/// <summary>
/// The bundle segments a gzip layer blob holds (<see cref="Oci.LayerBlobWriter.EndSegment"/>), kept beside the layer
/// cache under the blob's digest with the blob's stamp at the time: a later bundle copies a segment's compressed bytes
/// out of the blob instead of compressing the same tar bytes again.
/// </summary>
internal static class LayerSegments
{
    private const string Magic = "csdk-layer-segments-1";

    public static string PathOf(string cacheRoot, string blobPath) => Path.Combine(cacheRoot, "segments", Path.GetFileName(blobPath));

    public static void Record(string cacheRoot, string blobPath, IReadOnlyList<LayerSegment> segments)
    {
        var path = PathOf(cacheRoot, blobPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var temp = new TempFile(path);
        using (var writer = new StreamWriter(temp.Path))
        {
            writer.Write(Magic + "\n" + FileIdentity.StampOf(blobPath) + "\n");
            foreach (var s in segments)
                writer.Write(FormattableString.Invariant($"{s.Name} {s.Offset} {s.Length} {s.Sha256}\n"));
        }
        temp.Commit();
    }

    /// <summary>The recorded segments of a blob by name, and the blob's stamp when they were recorded; null when there is no usable record.</summary>
    public static (string Stamp, Dictionary<string, LayerSegment> ByName)? Load(string cacheRoot, string blobPath)
    {
        string[] lines;
        try { lines = File.ReadAllLines(PathOf(cacheRoot, blobPath)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        if (lines.Length < 2 || lines[0] != Magic) return null;
        var byName = new Dictionary<string, LayerSegment>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(2))
        {
            var f = line.Split(' ');
            if (f.Length != 4 || !long.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
                || !long.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var length)) return null;
            byName[f[0]] = new LayerSegment(f[0], offset, length, f[3]);
        }
        return (lines[1], byName);
    }
}
