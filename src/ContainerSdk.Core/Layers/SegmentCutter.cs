using ContainerSdk.Core.Blobs;
using System.Security.Cryptography;
using System.Text;
using ContainerSdk.Core.Cache;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// Cuts entries, in the order they are written, into bundle segments (<see cref="SegmentPolicy"/>) and names
/// each by its entries. The bundle cuts its flattened tree with it, and a layer its own entries, so that a
/// segment of the bundle with the name of one of a layer's segments holds the same tar bytes.
/// </summary>
internal sealed class SegmentCutter
{
    /// <summary>The bundle's format, in every segment name and in the bundle's inputs key: a change renames them all.</summary>
    public const string FormatVersion = "csdk-bundle-2";

    private List<PlannedEntry> _current = new();
    private long _bytes;

    /// <summary>Adds the next entry; true when it ends a segment (then <see cref="Take"/> it).</summary>
    public bool Add(PlannedEntry entry)
    {
        _current.Add(entry);
        _bytes += SegmentPolicy.EntryBytes(entry.Header);
        return SegmentPolicy.EndsSegment(entry.Key, _bytes);
    }

    public bool HasEntries => _current.Count > 0;

    /// <summary>The entries of the segment so far; the next entry starts a new one.</summary>
    public List<PlannedEntry> Take()
    {
        var taken = _current;
        _current = new List<PlannedEntry>();
        _bytes = 0;
        return taken;
    }

    /// <summary>The digest of a segment's entries (headers and content hashes), in hex: what its tar bytes are made of.</summary>
    /// <param name="level">ContainerLayerCompressionLevel: a segment compressed at another level is other bytes, so it has another name
    /// (the default's names are unchanged).</param>
    public static string Name(IReadOnlyList<PlannedEntry> entries, LayerCompressionLevel level = LayerCompressionLevel.Default)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(FormatVersion + "\0" + LayerFingerprint.ToolVersion + "\0"));
        if (level != LayerCompressionLevel.Default) hash.AppendData(Encoding.UTF8.GetBytes("level " + level + "\0"));
        foreach (var e in entries)
        {
            if (e.HasData && e.ContentHash is null) throw new InvalidOperationException($"No content hash for '{e.Key}' when naming a bundle segment.");
            hash.AppendData(LayerFingerprint.Entry(e.Header, e.ContentHash));
        }
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }
}
