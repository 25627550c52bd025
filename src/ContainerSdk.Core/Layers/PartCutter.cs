using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// Where a large module's sorted entries are cut into parts (<see cref="LayerSplit"/>): content-defined, so that
/// changing, adding or removing one file moves at most the cuts next to it and every other part keeps its entries,
/// and so its digest.
/// </summary>
/// <remarks>
/// <para>An entry is a <em>candidate</em> cut when the hash of its path falls below a threshold proportional to its size
/// (bytes / <see cref="Average"/>, so a file of that size or more always ends a part, and a run of small files has a
/// candidate about every <see cref="Average"/> bytes): the decision is the entry's alone, the same on every machine. A
/// candidate is a cut when at least <see cref="Minimum"/> bytes lie since the candidate before it (so every part but the
/// ends holds at least that much, and the rule stays local: it depends on the two candidates, not on where the part
/// began); a part is also cut when it reaches <see cref="Maximum"/> bytes (the only rule that depends on where the part
/// began, for a stretch without candidates). A cut then waits for the end of the bundle segment it falls in
/// (<see cref="SegmentPolicy"/>, itself content-defined and cut after any large file): each part's segments are those of
/// the module's layer unsplit, which the bundle's follow, so the bundle and the segment copy work as for one layer.</para>
/// <para>The hash is over the path, not the content: a file's content is not known before it is read, and a cold build
/// reads each file once, as it writes the layer; and a file whose content changes (at the same size) then moves no cut:
/// only its own part changes.</para>
/// </remarks>
internal sealed class PartCutter
{
    public PartCutter(long splitSize)
    {
        if (splitSize <= 0) throw new ArgumentOutOfRangeException(nameof(splitSize));
        Maximum = splitSize;
        Average = Math.Max(1, splitSize / 8);
        Minimum = Math.Max(1, splitSize / 8);
    }

    /// <summary>The size above which a stretch without a candidate is cut anyway: the split size.</summary>
    public long Maximum { get; }

    /// <summary>About how many bytes of small files lie between two candidates.</summary>
    public long Average { get; }

    /// <summary>The bytes a candidate needs since the candidate before it to be a cut.</summary>
    public long Minimum { get; }

    /// <summary>
    /// The part of each entry (0-based, same order as <paramref name="entries"/>, which are sorted) and the count of parts.
    /// Whiteouts go into the first part (they delete from the layers below the module, never from its own parts); a hard
    /// link goes into its target's part, as a layer's link must find its target in the same layer.
    /// </summary>
    public (int[] PartOf, int Parts) Cut(IReadOnlyList<PlannedEntry> entries)
    {
        var partOf = new int[entries.Count];
        int part = 0;
        long sinceCut = 0, sinceCandidate = 0, segment = 0;
        bool due = false;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            string key = entry.Key;
            index[key] = i;
            long bytes = SegmentPolicy.EntryBytes(entry.Header);
            // The bundle segments the module's layer would be cut into unsplit (SegmentCutter's rule over the same order).
            segment += bytes;
            bool endsSegment = SegmentPolicy.EndsSegment(key, segment);
            if (endsSegment) segment = 0;
            if (TarPath.IsWhiteout(key)) partOf[i] = 0;
            else if (entry.Header.Type == TarEntryType.HardLink) partOf[i] = -1; // placed below, with its target
            else
            {
                partOf[i] = part;
                sinceCut += bytes;
                sinceCandidate += bytes;
                if (IsCandidate(key, bytes))
                {
                    due |= sinceCandidate >= Minimum;
                    sinceCandidate = 0;
                }
                due |= sinceCut >= Maximum;
            }
            // A cut waits for the end of a segment: the part's segments are then the unsplit layer's, which the bundle's
            // follow, so the bundle copies them out of the parts as it did out of the whole layer.
            if (due && endsSegment)
            {
                part++;
                sinceCut = 0;
                due = false;
            }
        }
        for (int i = 0; i < entries.Count; i++)
        {
            if (partOf[i] >= 0) continue;
            var target = TarPath.Key(entries[i].Header.LinkName);
            partOf[i] = index.TryGetValue(target, out int t) && partOf[t] >= 0 ? partOf[t] : PartBefore(partOf, i);
        }
        return Compact(partOf);
    }

    /// <summary>Whether an entry of this path and size may end a part: the path's hash under bytes / <see cref="Average"/> of the range.</summary>
    public bool IsCandidate(string key, long bytes)
    {
        if (bytes >= Average) return true;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        ulong h = BinaryPrimitives.ReadUInt64BigEndian(hash);
        // bytes < Average, so the threshold is below 2^64.
        ulong threshold = (ulong)((UInt128)bytes * ((UInt128)1 << 64) / (UInt128)Average);
        return h < threshold;
    }

    /// <summary>A link whose target is not in the module (a file of the layers below): the part of the entry before it.</summary>
    private static int PartBefore(int[] partOf, int i)
    {
        for (int j = i - 1; j >= 0; j--) if (partOf[j] >= 0) return partOf[j];
        return 0;
    }

    /// <summary>Parts numbered 0..n-1 with none empty (a cut after the last entry, or before links only, leaves a gap).</summary>
    private static (int[] PartOf, int Parts) Compact(int[] partOf)
    {
        var used = partOf.Distinct().Order().ToList();
        var number = new Dictionary<int, int>();
        for (int n = 0; n < used.Count; n++) number[used[n]] = n;
        for (int i = 0; i < partOf.Length; i++) partOf[i] = number[partOf[i]];
        return (partOf, used.Count);
    }
}
