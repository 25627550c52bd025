using System.Text.RegularExpressions;

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>The site's bundle (flattened rootfs tarball + ACL dump), its build log and its reproducibility.</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class SiteBundleTests(SiteBuild site)
{
    [Fact]
    public async Task Bundle_lists_every_entry_with_numeric_owners()
    {
        var output = await site.GetAsync();

        var listing = ImageTools.ListTarball(output.Bundle);

        // Names in a bundle would be mapped to the extracting machine's ids by tar: ids only.
        foreach (var line in listing)
            Assert.Matches(new Regex(@"^\S+ \d+/\d+ "), line);
        Assert.StartsWith("drwxrwxrwt 0/0 ", ImageTools.ListingLine(listing, "tmp"));
        Assert.StartsWith("-rwsr-xr-x 0/0 ", ImageTools.ListingLine(listing, "opt/hello/bin/su-helper"));
        Assert.StartsWith($"-rwxr-xr-x {SiteBuild.TarballUid}/{SiteBuild.TarballGid} ",
            ImageTools.ListingLine(listing, "opt/tool/bin/tool"));
        Assert.StartsWith("l", ImageTools.ListingLine(listing, "opt/hello/bin/hi"));
        Assert.EndsWith(" -> hello", ImageTools.ListingLine(listing, "opt/hello/bin/hi"));
        // The bundle is one flattened tree: one hard link entry pointing at the other name.
        var links = new[] { "opt/hello/bin/hello", "opt/hello/bin/hello-again" }
            .Select(n => ImageTools.ListingLine(listing, n)).ToList();
        var link = Assert.Single(links, l => l.Contains(" link to ", StringComparison.Ordinal));
        var target = link[(link.IndexOf(" link to ", StringComparison.Ordinal) + " link to ".Length)..].Trim();
        Assert.NotEqual(ImageTools.EntryName(link).TrimStart('.', '/'), target.TrimStart('.', '/'));
        Assert.StartsWith("opt/hello/bin/hello", target.TrimStart('.', '/'));
        Assert.Equal(listing.Length, listing.Select(ImageTools.EntryName).Distinct().Count());
    }

    [Fact]
    public async Task Bundle_extracts_and_its_acl_dump_restores()
    {
        var tar = Tools.Require("tar");
        var setfacl = Tools.Require("setfacl");
        Tools.RequireRoot("extracting the bundle keeps its owners only as root");
        var output = await site.GetAsync();
        using var work = new TempDir("bundle");

        Tools.Run(tar, "--acls", "-xpzf", output.Bundle, "-C", work.Path).EnsureSuccess("tar --acls -xpzf bundle");
        Assert.True(File.Exists(output.BundleAcl), $"no ACL dump at {output.BundleAcl}");
        // getfacl -R dumps name paths relative to where it ran: restore from the extraction's root.
        Tools.Run(setfacl, new[] { $"--restore={output.BundleAcl}" }, work.Path).EnsureSuccess("setfacl --restore");

        Assert.Equal("1777", FileStat.Of(work.Combine("tmp")).Mode);
        Assert.Equal($"{SiteBuild.TarballUid}:{SiteBuild.TarballGid}", FileStat.Of(work.Combine("opt/tool/bin/tool")).Owners);
        Assert.Equal(FileStat.Of(work.Combine("opt/hello/bin/hello")).Inode, FileStat.Of(work.Combine("opt/hello/bin/hello-again")).Inode);
    }

    [Fact]
    public async Task Build_log_shows_one_line_per_layer()
    {
        var output = await site.GetAsync();
        var lines = output.Build.StdOut.Split('\n');

        foreach (var item in SiteBuild.LayerItems)
        {
            var mentions = lines.Where(l => l.Contains(item, StringComparison.Ordinal)).ToList();
            Assert.True(mentions.Count == 1,
                $"expected one line about layer {item} at normal verbosity, got {mentions.Count}:\n{string.Join('\n', mentions)}\n--- full log:\n{output.Build.StdOut}");
        }
    }

    [Fact]
    public async Task Two_clean_builds_in_different_folders_give_the_same_bytes()
    {
        var first = await site.GetAsync();

        var second = await site.BuildCopyAsync("site-again");
        second.Build.EnsureSuccess($"dotnet build {second.Project.ProjectPath}");

        Assert.NotEqual(first.Project.Directory, second.Project.Directory);
        Assert.Equal(ImageTools.ManifestDigest(first.Layout), ImageTools.ManifestDigest(second.Layout));
        Assert.Equal(File.ReadAllBytes(first.Bundle), File.ReadAllBytes(second.Bundle));
        Assert.Equal(File.ReadAllBytes(first.BundleAcl), File.ReadAllBytes(second.BundleAcl));
    }
}
