using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// Where segments end: after an entry whose path hashes to a boundary, once the segment holds enough bytes
/// to compress well; or when it is large. Boundaries depend on paths and on the bytes since the segment began,
/// so a change in one place moves no boundary beyond the next one or two, and every other segment keeps its
/// digest. The same rule cuts a layer's stream (<see cref="SegmentCutter"/>), so that after a boundary or two
/// a layer and the bundle agree on where segments are, and the bundle can take the layer's compressed bytes.
/// </summary>
internal static class SegmentPolicy
{
    // Small enough that one changed file recompresses a few MiB, large enough that a 1 GiB tree is a few
    // hundred cached files. Each segment's members are 4 MiB chunks anyway, so the size cost is nil.
    public const long MinBytes = 1L << 20;
    public const long MaxBytes = 16L << 20;

    public static bool EndsSegment(string key, long bytes)
    {
        if (bytes >= MaxBytes) return true;
        if (bytes < MinBytes) return false;
        uint h = 2166136261;
        foreach (char c in key) h = (h ^ c) * 16777619;
        return (h & 31) == 0;
    }

    /// <summary>About the bytes an entry takes in the tar (header, a PAX header when it has records, padded content).</summary>
    public static long EntryBytes(TarHeader header) =>
        512 + (header.Size + 511) / 512 * 512 + (header.HasPaxRecords ? 1024 : 0);
}
