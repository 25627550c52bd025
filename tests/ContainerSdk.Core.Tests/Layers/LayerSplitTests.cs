using System.Security.Cryptography;
using System.Text;
using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Tests.Layers;

/// <summary>
/// The cut of a large module into parts (<see cref="LayerSplit"/>, <see cref="PartCutter"/>): stable under a one-file
/// change, the same for the same tree, each part a valid layer, and never more than 100 layers in all.
/// </summary>
public sealed class LayerSplitTests
{
    private const long SplitSize = 32L << 20;

    /// <summary>A synthetic module: 100 folders of 100 files (10,000 files), sizes from 100 bytes to about 40 KiB, some larger.</summary>
    private static SortedDictionary<string, (long Size, int Version)> Tree()
    {
        var random = new Random(22);
        var files = new SortedDictionary<string, (long, int)>(StringComparer.Ordinal);
        for (int d = 0; d < 100; d++)
            for (int f = 0; f < 100; f++)
                files[$"dir{d:D3}/file{f:D3}.dat"] = (random.Next(50) == 0 ? random.Next(100_000, 3_000_000) : random.Next(100, 40_000), 0);
        return files;
    }

    private static LayerRequest Request => new() { ItemSpec = "suite", Kind = LayerKind.Module, SourcePath = "/m", TargetPath = "/opt/suite", TargetKey = "opt/suite" };

    private static LayerPlan PlanOf(SortedDictionary<string, (long Size, int Version)> files, string? hardLink = null)
    {
        var entries = new List<PlannedEntry>
        {
            new(new TarHeader { Name = "opt/", Type = TarEntryType.Directory, Mode = 0x1ED }, EmptyContent.Instance),
            new(new TarHeader { Name = "opt/suite/", Type = TarEntryType.Directory, Mode = 0x1ED }, EmptyContent.Instance),
            new(new TarHeader { Name = "opt/.wh.old", Type = TarEntryType.Regular, Mode = 0x1A4 }, EmptyContent.Instance),
        };
        foreach (var dir in files.Keys.Select(k => k[..k.IndexOf('/')]).Distinct())
            entries.Add(new(new TarHeader { Name = $"opt/suite/{dir}/", Type = TarEntryType.Directory, Mode = 0x1ED }, EmptyContent.Instance));
        foreach (var (path, (size, version)) in files)
            entries.Add(new(new TarHeader { Name = "opt/suite/" + path, Type = TarEntryType.Regular, Mode = 0x1A4, Size = size }, EmptyContent.Instance)
            {
                ContentHash = SHA256.HashData(Encoding.UTF8.GetBytes($"{path}@{version}")),
            });
        if (hardLink is not null)
            entries.Add(new(new TarHeader { Name = "opt/suite/zz-link", Type = TarEntryType.HardLink, LinkName = "opt/suite/" + hardLink }, EmptyContent.Instance));
        return new LayerPlan(Request, 0, entries);
    }

    private static string Digest(LayerPlan part)
    {
        using var fingerprint = LayerFingerprint.Begin(LayerCompression.Gzip);
        foreach (var entry in part.Entries) fingerprint.Add(entry.Header, entry.ContentHash);
        return Convert.ToHexString(fingerprint.Finish());
    }

    private static List<string> Parts(SortedDictionary<string, (long Size, int Version)> files) =>
        LayerSplit.PartsOf(PlanOf(files), new PartCutter(SplitSize)).Select(Digest).ToList();

    /// <summary>How many parts of <paramref name="after"/> are not parts of <paramref name="before"/>, and the other way.</summary>
    private static int Changed(List<string> before, List<string> after) =>
        Math.Max(after.Except(before).Count(), before.Except(after).Count());

    [Fact]
    public void Changing_adding_or_removing_one_file_anywhere_changes_at_most_two_parts()
    {
        var tree = Tree();
        var before = Parts(tree);
        Assert.InRange(before.Count, 10, 99);
        var keys = tree.Keys.ToList();
        var worst = new List<(string What, int Changed)>();
        for (int i = 0; i < keys.Count; i += 331)
        {
            var changed = new SortedDictionary<string, (long, int)>(tree, StringComparer.Ordinal) { [keys[i]] = (tree[keys[i]].Size + 1000, 1) };
            var sameSize = new SortedDictionary<string, (long, int)>(tree, StringComparer.Ordinal) { [keys[i]] = (tree[keys[i]].Size, 1) };
            var added = new SortedDictionary<string, (long, int)>(tree, StringComparer.Ordinal) { [keys[i] + ".new"] = (5000, 0) };
            var removed = new SortedDictionary<string, (long, int)>(tree, StringComparer.Ordinal);
            removed.Remove(keys[i]);
            worst.Add(($"changed {keys[i]}", Changed(before, Parts(changed))));
            worst.Add(($"rewritten {keys[i]}", Changed(before, Parts(sameSize))));
            worst.Add(($"added beside {keys[i]}", Changed(before, Parts(added))));
            worst.Add(($"removed {keys[i]}", Changed(before, Parts(removed))));
            // A file's content changed at the same size moves no cut: only its own part changes.
            Assert.Equal(1, worst[^3].Changed);
        }
        Assert.All(worst, w => Assert.True(w.Changed is >= 1 and <= 2, $"{w.What}: {w.Changed} parts changed"));
    }

    [Fact]
    public void The_same_tree_gives_the_same_parts()
    {
        Assert.Equal(Parts(Tree()), Parts(Tree()));
    }

    [Fact]
    public void Each_part_is_a_valid_layer_and_together_they_hold_the_module()
    {
        var plan = PlanOf(Tree(), hardLink: "dir050/file050.dat");
        var parts = LayerSplit.PartsOf(plan, new PartCutter(SplitSize));
        Assert.True(parts.Count > 1);
        Assert.Equal(Enumerable.Range(1, parts.Count), parts.Select(p => p.Part));
        Assert.All(parts, p => Assert.Equal(parts.Count, p.Parts));
        // Every entry of the module is in a part, and only parent folders are in more than one, as the same entry.
        var all = parts.SelectMany(p => p.Entries).Distinct().ToList();
        Assert.Equal(plan.Entries.Count, all.Count);
        Assert.All(parts.SelectMany(p => p.Entries).GroupBy(e => e).Where(g => g.Count() > 1), g => Assert.Equal(TarEntryType.Directory, g.Key.Header.Type));
        foreach (var part in parts)
            foreach (var entry in part.Entries)
                for (string? p = TarPath.Parent(entry.Key); p is { Length: > 0 }; p = TarPath.Parent(p))
                    Assert.Same(plan.Find(p), part.Find(p));
        // A later part begins with the parent folders an earlier part holds too, as a bundle segment of their own.
        Assert.Equal(0, parts[0].LeadingParents);
        Assert.All(parts.Skip(1), p =>
        {
            Assert.InRange(p.LeadingParents, 1, 4);
            Assert.All(p.Entries.Take(p.LeadingParents), e => Assert.Contains(parts.TakeWhile(q => q != p), q => q.Entries.Contains(e)));
            Assert.DoesNotContain(parts.TakeWhile(q => q != p), q => q.Entries.Contains(p.Entries[p.LeadingParents]));
        });
        // The whiteout deletes from the layers below the module, so it is in the first part; a hard link is with its target.
        Assert.NotNull(parts[0].Find("opt/.wh.old"));
        var link = parts.Single(p => p.Find("opt/suite/zz-link") is not null);
        Assert.NotNull(link.Find("opt/suite/dir050/file050.dat"));
        // Environment is the module's, taken once by the config.
        Assert.All(parts.Skip(1), p => Assert.Empty(p.Input.Environment));
        Assert.All(parts, p => Assert.InRange(LayerSplit.SizeOf(p), 1, SplitSize + (2L << 20)));
    }

    [Fact]
    public void A_module_under_the_split_size_or_a_split_size_of_0_stays_one_layer()
    {
        var plans = new[] { PlanOf(Tree()) };
        Assert.Same(plans, LayerSplit.Apply(plans, 0));
        Assert.Same(plans, LayerSplit.Apply(plans, 1L << 30));
        Assert.True(LayerSplit.Apply(plans, SplitSize).Count > 1);
    }

    [Fact]
    public void The_image_never_has_more_than_100_layers_the_parts_grow()
    {
        // Five modules that would make about 25 parts each at 32 MiB.
        var plans = Enumerable.Range(0, 5).Select(_ => PlanOf(Tree())).ToList();
        var separately = LayerSplit.PartsOf(plans[0], new PartCutter(SplitSize)).Count;
        Assert.True(5 * separately > LayerSplit.MaxLayers);
        var messages = new List<string>();
        var stack = LayerSplit.Apply(plans, SplitSize, messages.Add);
        Assert.InRange(stack.Count, 6, LayerSplit.MaxLayers);
        Assert.Equal(Enumerable.Range(0, stack.Count), stack.Select(p => p.Index));
        Assert.Contains(messages, m => m.Contains("more than 100 layers"));
    }

    [Theory]
    [InlineData("", Properties.DefaultLayerSplitSize)]
    [InlineData("0", 0L)]
    [InlineData("1048576", 1L << 20)]
    [InlineData("512MiB", 512L << 20)]
    [InlineData("256 mib", 256L << 20)]
    [InlineData("2g", 2L << 30)]
    [InlineData(" 64 K ", 64L << 10)]
    [InlineData("1.5G", 3L << 29)]
    [InlineData("500MB", 500_000_000L)]
    internal void ContainerLayerSplitSize_is_bytes_with_an_optional_unit(string text, long bytes) =>
        Assert.Equal(bytes, Properties.LayerSplitSize(text));

    [Theory]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("lots")]
    [InlineData("99999999999T")]
    public void A_malformed_ContainerLayerSplitSize_is_CSDK3060(string text)
    {
        var e = Assert.Throws<Diagnostics.ContainerSdkException>(() => Properties.LayerSplitSize(text));
        Assert.Equal(Diagnostics.Codes.InvalidLayerSplitSize, e.Code);
    }
}
