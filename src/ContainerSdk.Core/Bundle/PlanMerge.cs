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

        // The plans by their next key: a step costs a few comparisons, not two per plan (a split module is a dozen plans
        // or more).
        var next = new PriorityQueue<int, string>(plans.Count, TarPath.Comparer);
        for (int i = 0; i < plans.Count; i++)
            if (plans[i].Entries.Count > 0) next.Enqueue(i, plans[i].Entries[0].Key);
        var group = new List<(int Layer, PlannedEntry Entry)>();

        while (next.TryDequeue(out int first, out string? key))
        {
            group.Clear();
            Take(first);
            while (next.TryPeek(out int other, out string? otherKey) && TarPath.Comparer.Compare(otherKey, key) == 0)
            {
                next.Dequeue();
                Take(other);
            }
            if (group.Count > 1) group.Sort((a, b) => a.Layer.CompareTo(b.Layer));
            if (deletions.Count > 0) deletions.RemoveAll(d => !(key == d.Key || TarPath.IsUnder(key, d.Key)));

            if (TarPath.IsWhiteout(key))
            {
                int top = group.Max(g => g.Layer);
                string parent = TarPath.Parent(key)!, name = TarPath.BaseName(key);
                deletions.Add(name == TarPath.OpaqueWhiteout
                    ? new Deletion(parent, IncludesSelf: false, BelowLayer: top)
                    : new Deletion(TarPath.Join(parent, name[TarPath.WhiteoutPrefix.Length..]), IncludesSelf: true, BelowLayer: top));
                continue;
            }

            var alive = deletions.Count == 0 ? group.ToList() : group.Where(g => !deletions.Any(d => d.Deletes(key, g.Layer))).ToList();
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

        // A plan's next entry into the group, and the plan back in the queue by the key after it.
        void Take(int layer)
        {
            var entries = plans[layer].Entries;
            group.Add((layer, entries[positions[layer]++]));
            if (positions[layer] < entries.Count) next.Enqueue(layer, entries[positions[layer]].Key);
        }
    }

    /// <summary>What layers below <see cref="BelowLayer"/> lose: <see cref="Key"/>'s subtree, and the key itself when <see cref="IncludesSelf"/>.</summary>
    private readonly record struct Deletion(string Key, bool IncludesSelf, int BelowLayer)
    {
        public bool Deletes(string key, int layer) =>
            layer < BelowLayer && (TarPath.IsUnder(key, Key) || (IncludesSelf && key == Key));
    }
}
