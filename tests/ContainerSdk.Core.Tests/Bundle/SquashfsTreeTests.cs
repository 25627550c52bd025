using ContainerSdk.Core.Acl;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Tar;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Bundle;

/// <summary>
/// The SquashFS image holds the bundle's tree (issue 21): sqfs2tar (squashfs-tools-ng) and unsquashfs -lln
/// (squashfs-tools) list the same paths, types, owners, modes, link targets, device numbers, contents and user./security./
/// trusted. xattrs as the bundle read with the engine's TarReader, except that each path with an ACL has the owner, group
/// and mode AclNarrowing chose, and the ACLs themselves are gone.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class SquashfsTreeTests
{
    [Fact]
    public void The_image_lists_the_bundles_tree_with_the_acls_narrowed()
    {
        using var site = SquashfsSite.Create("sqtree");
        var result = site.Build(cancellation: TestContext.Current.CancellationToken);

        Assert.NotNull(result.Squashfs);
        Assert.True(result.Squashfs!.Written);
        Assert.True(result.CarriesNamedAcls);
        var bundle = SquashfsListing.Read(SquashfsListing.Gunzip(site.Run.Bundle, site.Run.Dir.Combine("bundle.tar")));
        var image = SquashfsListing.Read(SquashfsListing.Sqfs2Tar(site.Image, site.Run.Dir.Combine("image.tar")));
        var unsquashfs = SquashfsListing.Unsquashfs(site.Image);

        var expected = new Dictionary<string, ListedEntry>(StringComparer.Ordinal);
        var narrowed = new List<string>();
        foreach (var (path, (entry, acl)) in bundle)
        {
            if (entry.Type == TarEntryType.HardLink) { expected[path] = entry with { Uid = 0, Gid = 0, Mode = 0 }; continue; }
            var mode = AclNarrowing.ModeFromAcl((uint)entry.Uid, (uint)entry.Gid, entry.Mode, entry.Type == TarEntryType.Directory, acl);
            if (!mode.Exact) narrowed.Add("/" + path);
            expected[path] = entry with { Uid = mode.Uid, Gid = mode.Gid, Mode = mode.Mode & 0xFFF };
        }
        // sqfs2tar keeps the root only as "./"; the bundle may not list it.
        if (!expected.ContainsKey("")) image.Remove("");
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), image.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, want) in expected)
        {
            var got = image[path].Entry;
            if (want.Type == TarEntryType.HardLink) got = got with { Uid = 0, Gid = 0, Mode = 0 };
            Assert.Equal(want.ToString(), got.ToString());
            Assert.Null(image[path].Acl);
        }
        foreach (var (path, want) in expected.Where(e => e.Value.Type != TarEntryType.HardLink))
        {
            Assert.True(unsquashfs.TryGetValue(path, out var listed), $"unsquashfs -lln does not list '{path}'");
            Assert.Equal((SquashfsListing.Perms(want.Type, want.Mode), $"{want.Uid}/{want.Gid}"), listed);
        }

        // What the site is about, spelled out.
        Assert.Equal(new[] { "/opt/chemphys/results", "/opt/chemphys/tool", "/srv/report" }, narrowed.Order(StringComparer.Ordinal));
        var report = image["srv/report"].Entry;
        Assert.Equal((0L, 50L), (report.Uid, report.Gid));
        Assert.Equal(0, (report.Mode >> 3) & 3); // staff: neither w nor x, whatever the mask said
        var suite = image["opt/suite/bin/run"].Entry;
        Assert.Equal((2000L, 3001L, Convert.ToInt32("750", 8)), (suite.Uid, suite.Gid, suite.Mode)); // exact: licensed becomes the group
        Assert.Equal(Convert.ToInt32("4755", 8), image["opt/plain/bin/prog"].Entry.Mode);
        Assert.Equal(TarEntryType.HardLink, image["opt/plain/bin/prog2"].Entry.Type);
        Assert.Equal(TarEntryType.HardLink, image["opt/chemphys/tool-again"].Entry.Type);
        Assert.Equal((1, 3), (image["opt/plain/null"].Entry.Major, image["opt/plain/null"].Entry.Minor));
        Assert.Contains("user.note=", image["opt/plain/lib/libx.so"].Entry.Xattrs);
        Assert.Contains("security.capability=", image["opt/plain/lib/libx.so"].Entry.Xattrs);
        Assert.Contains("trusted.origin=", image["opt/vendor/lib/vendor.so"].Entry.Xattrs);
        Assert.Equal(TarEntryType.Directory, image["opt/plain/empty"].Entry.Type);

        // The narrowed paths: in the list beside the image and one warning, no others.
        Assert.Equal(3, result.Squashfs.NarrowedPaths);
        Assert.Equal(site.NarrowedList, result.Squashfs.NarrowedListPath);
        var lines = File.ReadAllLines(site.NarrowedList);
        Assert.Equal(narrowed.Order(StringComparer.Ordinal), lines.Select(l => l.Split('\t')[0]));
        var warning = Assert.Single(site.Run.Log.Warnings);
        Assert.Equal(Codes.SquashfsAclNarrowed, warning.Code);
        Assert.Contains("3 paths", warning.Message);
        Assert.Contains(site.NarrowedList, warning.Message);
        Assert.Contains(site.Run.Log.Infos, i => i.StartsWith($"SquashFS image {site.Image}: {bundle.Count}", StringComparison.Ordinal));
    }

    // internal: its parameters name an engine type, which is internal (xunit runs internal test methods too).
    [Theory]
    [InlineData(SquashfsImageCompression.Zstd, "zstd")]
    [InlineData(SquashfsImageCompression.Xz, "xz")]
    internal void Zstd_and_xz_images_list_the_same_tree(SquashfsImageCompression compression, string name)
    {
        using var site = SquashfsSite.Create("sq" + name);
        site.Build(compression: compression, cancellation: TestContext.Current.CancellationToken);
        var stats = Tools.Run(Tools.Require("unsquashfs"), "-s", site.Image).EnsureSuccess("unsquashfs -s").StdOut;
        Assert.Contains($"Compression {name}", stats);
        var image = SquashfsListing.Read(SquashfsListing.Sqfs2Tar(site.Image, site.Run.Dir.Combine("image.tar")));
        var bundle = SquashfsListing.Read(SquashfsListing.Gunzip(site.Run.Bundle, site.Run.Dir.Combine("bundle.tar")));
        foreach (var (path, (entry, _)) in bundle.Where(e => e.Value.Entry.Type == TarEntryType.Regular))
            Assert.Equal(entry.Sha256, image[path].Entry.Sha256);
    }
}
