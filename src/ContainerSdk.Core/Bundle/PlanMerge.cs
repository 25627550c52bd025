using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// Flattens a stack of layer plans the way an extractor applying the layers in order would: later layers
/// win, whiteouts and opaque markers delete from the layers below, a file replacing a folder hides what the
/// folder held. Every plan is sorted in <see cref="TarPath.Comparer"/> order, so one k-way merge meets each
/// path once, with a deletion always before what it deletes; memory holds only the active deletions.
/// </summary>
internal static class PlanMerge
{
    public static IEnumerable<PlannedEntry> Flatten(IReadOnlyList<LayerPlan> plans)
    {
        var positions = new int[plans.Count];
        var deletions = new List<Deletion>();
        // Regular files a higher layer replaced, by (layer, path): a surviving hard link to one of them
        // carries the content itself. Replacements are rare, so these stay small.
        var lost = new HashSet<(int, string)>();
        var orphanAnchors = new Dictionary<(int, string), string>();

        while (true)
        {
            string? key = null;
            for (int i = 0; i < plans.Count; i++)
                if (positions[i] < plans[i].Entries.Count && (key is null || TarPath.Comparer.Compare(plans[i].Entries[positions[i]].Key, key) < 0))
                    key = plans[i].Entries[positions[i]].Key;
            if (key is null) yield break;

            var group = new List<(int Layer, PlannedEntry Entry)>();
            for (int i = 0; i < plans.Count; i++)
                if (positions[i] < plans[i].Entries.Count && TarPath.Comparer.Compare(plans[i].Entries[positions[i]].Key, key) == 0)
                    group.Add((i, plans[i].Entries[positions[i]++]));
            deletions.RemoveAll(d => !(key == d.Key || TarPath.IsUnder(key, d.Key)));

            if (TarPath.IsWhiteout(key))
            {
                int top = group.Max(g => g.Layer);
                string parent = TarPath.Parent(key)!, name = TarPath.BaseName(key);
                deletions.Add(name == TarPath.OpaqueWhiteout
                    ? new Deletion(parent, IncludesSelf: false, BelowLayer: top)
                    : new Deletion(TarPath.Join(parent, name[TarPath.WhiteoutPrefix.Length..]), IncludesSelf: true, BelowLayer: top));
                continue;
            }

            var alive = group.Where(g => !deletions.Any(d => d.Deletes(key, g.Layer))).ToList();
            var winner = alive.Count == 0 ? default : alive.MaxBy(g => g.Layer);
            foreach (var (layer, entry) in group)
                if ((alive.Count == 0 || layer != winner.Layer) && entry.Header.Type == TarEntryType.Regular) lost.Add((layer, key));
            if (alive.Count == 0) continue;

            var header = winner.Entry.Header;
            if (header.Type == TarEntryType.HardLink)
            {
                string target = TarPath.Key(header.LinkName);
                if (lost.Contains((winner.Layer, target)) && !orphanAnchors.ContainsKey((winner.Layer, target)))
                {
                    // The link outlives its target: it becomes the file, with the target's content from its own layer.
                    var original = plans[winner.Layer].Find(target)!;
                    var file = header.Clone();
                    file.Type = TarEntryType.Regular;
                    file.LinkName = "";
                    file.Size = original.Header.Size;
                    orphanAnchors[(winner.Layer, target)] = key;
                    yield return new PlannedEntry(file, original.Content) { ContentHash = original.ContentHash };
                }
                else if (orphanAnchors.TryGetValue((winner.Layer, target), out var anchor))
                {
                    var link = header.Clone();
                    link.LinkName = anchor;
                    yield return new PlannedEntry(link, EmptyContent.Instance);
                }
                else yield return winner.Entry;
            }
            else yield return winner.Entry;

            // A file (or link) replacing a folder hides what the layers below had inside it.
            if (header.Type != TarEntryType.Directory) deletions.Add(new Deletion(key, IncludesSelf: false, BelowLayer: winner.Layer));
        }
    }

    /// <summary>What layers below <see cref="BelowLayer"/> lose: <see cref="Key"/>'s subtree, and the key itself when <see cref="IncludesSelf"/>.</summary>
    private readonly record struct Deletion(string Key, bool IncludesSelf, int BelowLayer)
    {
        public bool Deletes(string key, int layer) =>
            layer < BelowLayer && (TarPath.IsUnder(key, Key) || (IncludesSelf && key == Key));
    }
}
