using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// ContainerLayerSplitSize: a module whose entries exceed it (uncompressed) becomes several ordinary layers, its parts,
/// cut where <see cref="PartCutter"/> says. Each part is a valid layer on its own: it holds the parent folders of its
/// entries, as the same entries (the same headers: the owner, mode and ACL the module gives them), so the flattened tree
/// is the unsplit module's. Whiteouts (RemovePaths) are in the first part. The layers after the parts, the builder, the
/// caches and the bundle see ordinary layers: each part has its own plan, fingerprint and blob.
/// </summary>
internal static class LayerSplit
{
    /// <summary>Nix's buildLayeredImage default: overlay stacks and some runtimes have limits on the layers of an image.</summary>
    public const int MaxLayers = 100;

    /// <summary>
    /// The stack with every module larger than <paramref name="splitSize"/> replaced by its parts (0: none split), and every
    /// layer's index set to its new position. Where the parts would make more than <see cref="MaxLayers"/> layers, the
    /// split size doubles until they fit (or no module is split).
    /// </summary>
    public static IReadOnlyList<LayerPlan> Apply(IReadOnlyList<LayerPlan> plans, long splitSize, Action<string>? detail = null)
    {
        if (splitSize <= 0) return plans;
        // Each module's size once: the loop below may try several split sizes, each asking every plan whether it splits.
        var splittable = plans.Select(p => Splittable(p) ? SizeOf(p) : 0).ToArray();
        bool Splits(int i, long at) => splittable[i] > at;
        if (!Enumerable.Range(0, plans.Count).Any(i => Splits(i, splitSize))) return plans;
        var size = splitSize;
        List<LayerPlan> stack;
        while (true)
        {
            stack = plans.SelectMany((p, i) => Splits(i, size) ? PartsOf(p, new PartCutter(size)) : new[] { p }).ToList();
            if (stack.Count <= MaxLayers || !Enumerable.Range(0, plans.Count).Any(i => Splits(i, size))) break;
            size *= 2;
        }
        if (size != splitSize)
            detail?.Invoke($"The parts of {Sizes.Format(splitSize)} would make more than {MaxLayers} layers: modules are split at {Sizes.Format(size)}.");
        for (int i = 0; i < stack.Count; i++) stack[i].Index = i;
        return stack;
    }

    /// <summary>The bytes a module's layer holds uncompressed (as its tar counts them).</summary>
    public static long SizeOf(LayerPlan plan)
    {
        long total = 0;
        foreach (var entry in plan.Entries) total += SegmentPolicy.EntryBytes(entry.Header);
        return total;
    }

    /// <summary>Whether the plan is a module's layer this build writes (a reused or base image's layer keeps its blob).</summary>
    private static bool Splittable(LayerPlan plan) =>
        plan.Input.Kind == LayerKind.Module && plan.Prebuilt is null && plan.FromImage is null;

    /// <summary>A module's plan as its parts (one when the cut finds no boundary).</summary>
    public static IReadOnlyList<LayerPlan> PartsOf(LayerPlan plan, PartCutter cutter)
    {
        var entries = plan.Entries;
        var (partOf, count) = cutter.Cut(entries);
        if (count == 1) return new[] { plan };
        // Each part is built in order, so it needs no sort: the parent folders an entry's part does not hold yet sort
        // after everything the part holds (an entry between a folder and its child lies inside the folder, and would have
        // brought it), outermost first, and just before the entry.
        var parts = Enumerable.Range(0, count).Select(_ => new List<PlannedEntry>()).ToArray();
        var held = Enumerable.Range(0, count).Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();
        var (leading, own) = (new int[count], new int[count]);
        var missing = new Stack<PlannedEntry>();
        for (int i = 0; i < entries.Count; i++)
        {
            int n = partOf[i];
            var entry = entries[i];
            // The parent folders of the part's entries, the module's own entries (the very headers, so an ACL placed on one
            // later is on every copy).
            for (string? p = TarPath.Parent(entry.Key); p is { Length: > 0 } && held[n].Add(p); p = TarPath.Parent(p))
                if (plan.Find(p) is { } folder) missing.Push(folder);
            while (missing.TryPop(out var folder))
            {
                parts[n].Add(folder);
                if (own[n] == 0) leading[n]++; // before the part's first own entry: a leading parent
            }
            held[n].Add(entry.Key);
            parts[n].Add(entry);
            own[n]++;
        }
        // Environment and the modulefile's changes are the module's: the config takes them once, from its first part.
        var rest = plan.Input with { Environment = Array.Empty<string>() };
        return Enumerable.Range(0, count).Select(n => new LayerPlan(n == 0 ? plan.Input : rest, plan.Index, parts[n])
        {
            Part = n + 1,
            Parts = count,
            ModuleFile = n == 0 ? plan.ModuleFile : null,
            LeadingParents = leading[n],
        }).ToList();
    }
}
