using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Tar;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Layers;

/// <summary>The folder walk (folders walked a level at a time, concurrently): the entries of a sequential walk, in its order.</summary>
public sealed class DirectoryWalkTests
{
    private static List<PlannedEntry> Walk(string path, string rootKey = "opt/m") =>
        DirectoryPlanner.Plan(new PlanSource(path, path, rootKey, new PathGlob(Array.Empty<string>(), path), null, null, 0), new RecordingLog());

    /// <summary>Depth first, names in ordinal order, links never followed: what the walk stands for, spelled out.</summary>
    private static IEnumerable<string> Sequential(string dir, string key)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(dir).OrderBy(p => Path.GetFileName(p), StringComparer.Ordinal))
        {
            string child = key + "/" + Path.GetFileName(path);
            yield return child;
            if (!File.GetAttributes(path).HasFlag(FileAttributes.ReparsePoint) && Directory.Exists(path))
                foreach (var below in Sequential(path, child)) yield return below;
        }
    }

    [Fact]
    public void A_tree_of_many_folders_walks_in_the_order_of_a_sequential_walk()
    {
        using var dir = new TempDir("walk");
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < a + 1; b++)
                for (int c = 0; c < 3; c++)
                    Tree.File(dir.Path, $"d{a}/e{b}/{(c == 2 ? "f" : "g" + c)}/file{c}", "x");
        Tree.File(dir.Path, "top", "x");
        Tree.File(dir.Path, "d1/e0/.hidden", "x");
        File.CreateSymbolicLink(dir.Combine("d0", "to-d1"), "../d1");

        var keys = Walk(dir.Path).Select(e => e.Key).ToList();

        Assert.Equal(new[] { "opt/m" }.Concat(Sequential(dir.Path, "opt/m")), keys);
        var link = Walk(dir.Path).Single(e => e.Key == "opt/m/d0/to-d1");
        Assert.Equal(TarEntryType.SymbolicLink, link.Header.Type);
        Assert.Equal("../d1", link.Header.LinkName);
    }

    [Fact]
    public void Files_sharing_an_inode_link_to_the_first_in_layer_order_whatever_level_they_are_walked_in()
    {
        using var dir = new TempDir("walk");
        var deep = Tree.File(dir.Path, "a/deep/x", "content");
        File.Copy(deep, dir.Combine("y")); // another inode
        Assert.Equal(0, Mono.Unix.Native.Syscall.link(deep, dir.Combine("z")));    // walked a level before a/deep/x
        Assert.Equal(0, Mono.Unix.Native.Syscall.link(deep, dir.Combine("a", "w"))); // walked in between

        var entries = Walk(dir.Path).ToDictionary(e => e.Key);

        Assert.Equal(TarEntryType.Regular, entries["opt/m/a/deep/x"].Header.Type);
        Assert.Equal(7, entries["opt/m/a/deep/x"].Header.Size);
        foreach (var link in new[] { "opt/m/a/w", "opt/m/z" })
        {
            Assert.Equal(TarEntryType.HardLink, entries[link].Header.Type);
            Assert.Equal("opt/m/a/deep/x", entries[link].Header.LinkName);
            Assert.Equal(0, entries[link].Header.Size);
        }
        Assert.Equal(TarEntryType.Regular, entries["opt/m/y"].Header.Type);
    }

    [Fact]
    public void A_module_named_through_a_symbolic_link_is_walked_and_the_links_inside_it_are_not_followed()
    {
        using var dir = new TempDir("walk");
        Tree.File(dir.Path, "1.2.3/bin/tool", "x");
        File.CreateSymbolicLink(dir.Combine("1.2.3", "up"), "..");
        File.CreateSymbolicLink(dir.Combine("current"), "1.2.3");

        var keys = Walk(dir.Combine("current")).Select(e => (e.Key, e.Header.Type)).ToList();

        Assert.Equal(new[] { "opt/m", "opt/m/bin", "opt/m/bin/tool", "opt/m/up" }, keys.Select(k => k.Key));
        Assert.Equal(TarEntryType.SymbolicLink, keys.Single(k => k.Key == "opt/m/up").Type);
    }
}
