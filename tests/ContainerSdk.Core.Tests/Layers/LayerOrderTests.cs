using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Tar;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Layers;

/// <summary>
/// Layer order (<see cref="TarPath.Comparer"/>) where it differs from ordinal order: a plan that arrives in layer order
/// is kept as it is (no sort), one that does not is sorted, and either way the entries come out as the sort gives them.
/// </summary>
public sealed class LayerOrderTests
{
    // Ordinal order would put "a-b", "a.b" and "a/b" differently; whiteouts sort by the name they delete.
    private static readonly string[] Tricky =
    {
        "", "a", "a/", "a/b", "a/b/c", "a/.wh.b", "a/.wh..wh..opq", "a/b-c", "a/b.c", "a/b c", "a-b", "a-b/x", "a.b", "a b", "a0",
        ".wh.a", ".wh.z", "z", ".wh..wh..opq", ".wh.", "b/.wh.a/x", "b/a", "b/a/", "\u00e9", "\U0001F600", "a//b",
    };

    /// <summary>The order the comparer stands for, spelled out: component by component, each by the name it stands for, then opaque marker, whiteout, name.</summary>
    private static int Reference(string x, string y)
    {
        var xs = x.TrimEnd('/').Split('/');
        var ys = y.TrimEnd('/').Split('/');
        if (x.TrimEnd('/').Length == 0) xs = Array.Empty<string>();
        if (y.TrimEnd('/').Length == 0) ys = Array.Empty<string>();
        for (int i = 0; i < Math.Min(xs.Length, ys.Length); i++)
        {
            var (xn, xr) = Rank(xs[i]);
            var (yn, yr) = Rank(ys[i]);
            if (xr == 0 || yr == 0) { if (xr != yr) return xr - yr; continue; }
            int c = string.CompareOrdinal(xn, yn);
            if (c != 0) return c;
            if (xr != yr) return xr - yr;
        }
        return xs.Length.CompareTo(ys.Length);

        static (string Name, int Rank) Rank(string c) =>
            c == TarPath.OpaqueWhiteout ? ("", 0) : c.StartsWith(TarPath.WhiteoutPrefix, StringComparison.Ordinal) ? (c[TarPath.WhiteoutPrefix.Length..], 1) : (c, 2);
    }

    [Fact]
    public void The_comparer_agrees_with_the_component_order_for_every_pair()
    {
        foreach (var x in Tricky)
            foreach (var y in Tricky)
                Assert.True(Math.Sign(TarPath.Comparer.Compare(x, y)) == Math.Sign(Reference(x, y)), $"'{x}' vs '{y}'");
    }

    [Fact]
    public void A_plan_in_layer_order_is_kept_and_any_other_order_is_sorted_the_same_way()
    {
        var keys = Tricky.Select(k => k.TrimEnd('/')).Where(k => k.Length > 0 && !k.Contains("//")).Distinct().ToList();
        var sorted = keys.ToList();
        sorted.Sort(TarPath.Comparer);
        Assert.True(TarPath.IsStrictlyOrdered(sorted));
        Assert.NotEqual(keys.OrderBy(k => k, StringComparer.Ordinal), sorted); // ordinal order is not layer order here
        Assert.False(TarPath.IsStrictlyOrdered(keys.OrderBy(k => k, StringComparer.Ordinal).ToList()));
        Assert.False(TarPath.IsStrictlyOrdered(new[] { "a", "a/" })); // the same key twice is not strictly ordered

        var random = new Random(12);
        foreach (var order in new[] { sorted, keys, keys.OrderBy(_ => random.Next()).ToList(), Enumerable.Reverse(sorted).ToList() })
        {
            var plan = new LayerPlan(new LayerRequest { ItemSpec = "m", Kind = LayerKind.Module, SourcePath = "/m", TargetPath = "/opt/m", TargetKey = "opt/m" }, 0,
                order.Select(k => new PlannedEntry(new TarHeader { Name = k, Type = TarEntryType.Regular }, EmptyContent.Instance)));
            Assert.Equal(sorted, plan.Entries.Select(e => e.Key));
            Assert.All(sorted, k => Assert.Equal(k, plan.Find(k)?.Key));
        }
    }

    [Fact]
    public void A_folder_walk_gives_the_sorted_order_also_where_ordinal_order_differs()
    {
        using var dir = new TempDir("order");
        foreach (var path in new[] { "a/b", "a.b", "a-b/x", "a b", "a0", ".wh.z", "z/.wh.y", "z/x", "\u00e9/f" })
            Tree.File(dir.Path, path, "x");
        var entries = DirectoryPlanner.Plan(new PlanSource(dir.Path, dir.Path, "opt/m", new PathGlob(Array.Empty<string>(), dir.Path), null, null, 0), new RecordingLog());
        var expected = entries.Select(e => e.Key).ToList();
        expected.Sort(TarPath.Comparer);

        var plan = new LayerPlan(new LayerRequest { ItemSpec = dir.Path, Kind = LayerKind.Module, SourcePath = dir.Path, TargetPath = "/opt/m", TargetKey = "opt/m" }, 0, entries);

        Assert.Equal(expected, plan.Entries.Select(e => e.Key));
        // The walk lists ".wh.z" first (ordinal), the layer puts it just before "z": this plan was sorted.
        Assert.Equal(new[]
        {
            "opt/m", "opt/m/a", "opt/m/a/b", "opt/m/a b", "opt/m/a-b", "opt/m/a-b/x", "opt/m/a.b", "opt/m/a0", "opt/m/.wh.z", "opt/m/z",
            "opt/m/z/x", "opt/m/z/.wh.y", "opt/m/\u00e9", "opt/m/\u00e9/f",
        }, plan.Entries.Select(e => e.Key));
    }
}
