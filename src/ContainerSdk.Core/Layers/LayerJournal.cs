using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Tar;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Cache;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// A layer position's last plan, one line per entry (its digest and path), so that a rebuilt layer can say
/// which of its inputs changed (shown at -v:d). Only for messages: the fingerprint alone decides.
/// </summary>
internal sealed class LayerJournal(string path)
{
    private const int MaxNamed = 5;

    /// <summary>Whether this layer position was built before.</summary>
    public bool Exists => File.Exists(path);

    public string Explain(LayerPlan plan)
    {
        Dictionary<string, string> before;
        try
        {
            before = File.ReadLines(path).Select(l => l.Split(' ', 2)).Where(p => p.Length == 2).ToDictionary(p => p[1], p => p[0], StringComparer.Ordinal);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return "no earlier build of this layer is recorded.";
        }
        var now = Lines(plan).ToDictionary(l => l.Key, l => l.Digest, StringComparer.Ordinal);
        var changed = now.Where(kv => before.TryGetValue(kv.Key, out var d) && d != kv.Value).Select(kv => kv.Key).ToList();
        var added = now.Keys.Where(k => !before.ContainsKey(k)).ToList();
        var removed = before.Keys.Where(k => !now.ContainsKey(k)).ToList();
        if (changed.Count + added.Count + removed.Count == 0)
            return "its entries are as before, so a setting changed (compression, the tool version) or its cached blob was unusable.";
        return string.Join("; ", new[] { ("changed", changed), ("added", added), ("removed", removed) }
            .Where(g => g.Item2.Count > 0)
            .Select(g => $"{g.Item2.Count} {g.Item1} ({string.Join(", ", g.Item2.Take(MaxNamed).Select(k => "/" + k))}{(g.Item2.Count > MaxNamed ? ", ..." : "")})")) + ".";
    }

    /// <summary>Whether the recorded plan is this one (the layer was built or taken here before, as it is now).</summary>
    public bool Records(LayerPlan plan)
    {
        try
        {
            using var recorded = File.ReadLines(path).GetEnumerator();
            foreach (var (key, digest) in Lines(plan))
                if (!recorded.MoveNext() || recorded.Current != $"{digest} {key}") return false;
            return !recorded.MoveNext();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    public void Record(LayerPlan plan)
    {
        using var temp = new TempFile(path);
        temp.WriteAllLines(Lines(plan).Select(l => $"{l.Digest} {l.Key}"));
        temp.Commit();
    }

    private static IEnumerable<(string Key, string Digest)> Lines(LayerPlan plan) =>
        plan.Entries.Select(e => (e.Key, Convert.ToHexString(LayerFingerprint.Entry(e.Header, e.ContentHash))[..16]));
}
