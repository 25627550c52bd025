using ContainerSdk.Core.Squashfs;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Squashfs;

/// <summary>
/// The image holds the tree it was given, as every reader sees it: squashfs-tools' unsquashfs, squashfs-tools-ng's
/// sqfs2tar and rdsquashfs, the kernel (loop mount) and squashfuse; for each compressor.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class SquashfsReadersTests
{
    private static (SquashfsSample Sample, string Image) Write(TempDir dir, SquashfsCompression compression)
    {
        var sample = SquashfsSample.Build();
        string image = dir.Combine("image.sqsh");
        var summary = SquashfsWriter.Write(image, sample.Entries, new SquashfsOptions { Compression = compression, MkfsTime = (uint)SquashfsSample.Time }, TestContext.Current.CancellationToken);
        Assert.Equal(0, new FileInfo(image).Length % 4096);
        Assert.Equal(new FileInfo(image).Length, summary.Length);
        Assert.Equal(2, summary.DuplicateFiles);
        return (sample, image);
    }

    // internal: its parameters name an engine type, which is internal (xunit runs internal test methods too).
    [Theory]
    [InlineData(SquashfsCompression.Gzip)]
    [InlineData(SquashfsCompression.Zstd)]
    [InlineData(SquashfsCompression.Xz)]
    internal void Unsquashfs_unpacks_the_tree(SquashfsCompression compression)
    {
        Tools.RequireRoot("unsquashfs restores owners, devices and trusted./security. xattrs only as root");
        var unsquashfs = Tools.Require("unsquashfs");
        using var dir = new TempDir("sqfs");
        var (sample, image) = Write(dir, compression);
        string target = dir.Combine("out");
        Tools.Run(unsquashfs, new[] { "-no-progress", "-d", target, image }).EnsureSuccess("unsquashfs");
        // unsquashfs does not set a symbolic link's time, nor the root's attributes on the folder it makes.
        SquashfsTreeCheck.AssertMatches(sample, SquashfsTreeCheck.FromFolder(target), "unsquashfs", symlinkTimes: false, rootAttributes: false);

        // Its listing (numeric owners) names every path with its mode and owner.
        var listing = Tools.Run(unsquashfs, new[] { "-lln", image }).EnsureSuccess("unsquashfs -lln").StdOut;
        Assert.Contains("-rwsr-xr-x 0/0", listing);
        Assert.Contains("drwxrwxrwt 0/0", listing);
        Assert.Contains("-rw-r--r-- 100000/200000", listing);
        Assert.Contains("crw-rw---- 0/6", listing);
        var superblock = Tools.Run(unsquashfs, new[] { "-s", image }).EnsureSuccess("unsquashfs -s").StdOut;
        Assert.Contains($"Number of inodes {SquashfsSample.Build().Entries.Count - 1}", superblock); // the hard link is no inode of its own
    }

    [Theory]
    [InlineData(SquashfsCompression.Gzip)]
    [InlineData(SquashfsCompression.Zstd)]
    [InlineData(SquashfsCompression.Xz)]
    internal void Squashfs_tools_ng_read_the_tree(SquashfsCompression compression)
    {
        var sqfs2tar = Tools.Require("sqfs2tar");
        var rdsquashfs = Tools.Require("rdsquashfs");
        using var dir = new TempDir("sqfs");
        var (sample, image) = Write(dir, compression);

        var tar = RunBytes(sqfs2tar, "-r", ".", image);
        // A tar cannot hold a socket: sqfs2tar leaves it out.
        SquashfsTreeCheck.AssertMatches(sample, SquashfsTreeCheck.FromTar(tar), "sqfs2tar", sockets: false, inodes: false);

        var describe = Tools.Run(rdsquashfs, new[] { "-d", image }).EnsureSuccess("rdsquashfs -d").StdOut;
        Assert.Contains("nod dev/big 0660 0 6 c 300 70000", describe);
        Assert.Contains("sock dev/socket 0660 0 6", describe);
        Assert.Contains("dir tmp 01777 0 0", describe);
        var stat = Tools.Run(rdsquashfs, new[] { "-s", "/links/hardlink", image }).EnsureSuccess("rdsquashfs -s").StdOut;
        Assert.Contains("Hard link count: 2", stat);
        var xattrs = Tools.Run(rdsquashfs, new[] { "-x", "/data/xattrs", image }).EnsureSuccess("rdsquashfs -x").StdOut;
        Assert.Contains("user.comment=hello", xattrs.Replace("\"", ""));
        Assert.DoesNotContain("system.", xattrs);

        // rdsquashfs unpacks it too, with owners, modes, times and xattrs.
        Tools.RequireRoot("rdsquashfs sets owners and trusted. xattrs only as root");
        string target = dir.Combine("out");
        Directory.CreateDirectory(target);
        Tools.Run(rdsquashfs, new[] { "-q", "-u", "/", "-p", target, "-X", "-T", "-C", "-O", image }).EnsureSuccess("rdsquashfs -u");
        // It sets a file's xattrs before its owner, and a chown drops security.capability: that one is not compared. It
        // unpacks a hard link as a copy (mksquashfs's images too); -s above showed the inode's link count.
        SquashfsTreeCheck.AssertMatches(sample, SquashfsTreeCheck.FromFolder(target), "rdsquashfs", symlinkTimes: false, rootAttributes: false, inodes: false,
            xattrShown: name => name != "security.capability");
    }

    [Theory]
    [InlineData(SquashfsCompression.Gzip)]
    [InlineData(SquashfsCompression.Zstd)]
    [InlineData(SquashfsCompression.Xz)]
    internal void The_kernel_mounts_the_image(SquashfsCompression compression)
    {
        Tools.RequireRoot("a loop mount needs root");
        var mount = Tools.Require("mount");
        var umount = Tools.Require("umount");
        using var dir = new TempDir("sqfs");
        var (sample, image) = Write(dir, compression);
        string point = dir.Combine("mnt");
        Directory.CreateDirectory(point);
        var mounted = Tools.Run(mount, new[] { "-t", "squashfs", "-o", "loop,ro", image, point });
        if (mounted.ExitCode != 0)
        {
            string why = $"mount -t squashfs -o loop,ro failed here: {mounted.StdErr.Trim()}";
            if (Tools.InCi) Assert.Fail(why);
            Assert.Skip(why);
        }
        try { SquashfsTreeCheck.AssertMatches(sample, SquashfsTreeCheck.FromFolder(point), $"kernel ({compression})"); }
        finally { Tools.Run(umount, new[] { point }).EnsureSuccess("umount"); }
    }

    [Theory]
    [InlineData(SquashfsCompression.Gzip)]
    [InlineData(SquashfsCompression.Zstd)]
    [InlineData(SquashfsCompression.Xz)]
    internal void Squashfuse_mounts_the_image(SquashfsCompression compression)
    {
        var squashfuse = Tools.Require("squashfuse");
        var fusermount = Tools.Find("fusermount3") ?? Tools.Require("fusermount");
        if (!File.Exists("/dev/fuse"))
        {
            if (Tools.InCi) Assert.Fail("/dev/fuse is missing: squashfuse cannot mount");
            Assert.Skip("/dev/fuse is missing here: squashfuse cannot mount");
        }
        using var dir = new TempDir("sqfs");
        var (sample, image) = Write(dir, compression);
        string point = dir.Combine("mnt");
        Directory.CreateDirectory(point);
        Tools.Run(squashfuse, new[] { image, point }).EnsureSuccess("squashfuse");
        // squashfuse numbers inodes itself (FUSE's high-level API), so a hard link's two names have the image's nlink (2)
        // but not one inode number there. It (0.1.10x) also shows a trusted. attribute as security. and the other way round, in mksquashfs's images too:
        // only user. attributes are compared through it (the kernel's mount checks all three).
        try { SquashfsTreeCheck.AssertMatches(sample, SquashfsTreeCheck.FromFolder(point), $"squashfuse ({compression})", xattrShown: name => name.StartsWith("user.", StringComparison.Ordinal), inodeNumbers: false); }
        finally { Tools.Run(fusermount, new[] { "-u", point }).EnsureSuccess("fusermount -u"); }
    }

    [Fact]
    public void A_folder_of_40000_entries_with_hard_links_from_afar_reads_back()
    {
        // A listing over 64 KiB (the extended folder inode), an inode table of many blocks, headers split by block and by
        // inode numbers more than 32767 apart (hard links to a file written long before).
        Tools.RequireRoot("a loop mount needs root");
        var unsquashfs = Tools.Require("unsquashfs");
        using var dir = new TempDir("sqfs");
        var entries = new List<SquashfsEntry>
        {
            new("a", SquashfsEntryType.Directory) { Mode = 0x1ED },
            new("a/first", SquashfsEntryType.File) { Size = 5, OpenContent = () => new MemoryStream("first"u8.ToArray()) },
            new("big", SquashfsEntryType.Directory) { Mode = 0x1ED },
        };
        for (int i = 0; i < 40000; i++)
        {
            var text = System.Text.Encoding.ASCII.GetBytes($"entry number {i}");
            entries.Add(new($"big/a-rather-long-file-name-{i:D6}", SquashfsEntryType.File) { Size = text.Length, OpenContent = () => new MemoryStream(text) });
        }
        entries.Add(new("big/zz-link", SquashfsEntryType.HardLink) { LinkTarget = "a/first" });
        string image = dir.Combine("big.sqsh");
        SquashfsWriter.Write(image, entries, new SquashfsOptions { MkfsTime = 1 }, TestContext.Current.CancellationToken);

        var listing = Tools.Run(unsquashfs, new[] { "-lln", image }).EnsureSuccess("unsquashfs -lln").StdOut;
        Assert.Equal(40005, listing.Split('\n').Count(l => l.Contains("squashfs-root"))); // root, a, a/first, big, 40000 files, the link

        string point = dir.Combine("mnt");
        Directory.CreateDirectory(point);
        var mounted = Tools.Run(Tools.Require("mount"), new[] { "-t", "squashfs", "-o", "loop,ro", image, point });
        if (mounted.ExitCode != 0)
        {
            if (Tools.InCi) Assert.Fail(mounted.StdErr);
            Assert.Skip($"mount -t squashfs -o loop,ro failed here: {mounted.StdErr.Trim()}");
        }
        try
        {
            var names = Directory.GetFiles(Path.Combine(point, "big")).Select(Path.GetFileName).ToList();
            Assert.Equal(40001, names.Count);
            Assert.Equal("entry number 39999", File.ReadAllText(Path.Combine(point, "big", "a-rather-long-file-name-039999")));
            Assert.Equal("entry number 12345", File.ReadAllText(Path.Combine(point, "big", "a-rather-long-file-name-012345")));
            Assert.Equal("first", File.ReadAllText(Path.Combine(point, "big", "zz-link")));
            Assert.Equal(0, Mono.Unix.Native.Syscall.lstat(Path.Combine(point, "big", "zz-link"), out var link));
            Assert.Equal(0, Mono.Unix.Native.Syscall.lstat(Path.Combine(point, "a", "first"), out var first));
            Assert.Equal(first.st_ino, link.st_ino);
            Assert.Equal(2UL, link.st_nlink);
        }
        finally { Tools.Run(Tools.Require("umount"), new[] { point }).EnsureSuccess("umount"); }
    }

    private static byte[] RunBytes(string tool, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(output);
        p.WaitForExit();
        if (p.ExitCode != 0) Assert.Fail($"{tool} exited {p.ExitCode}: {stderr.Result}");
        return output.ToArray();
    }
}
