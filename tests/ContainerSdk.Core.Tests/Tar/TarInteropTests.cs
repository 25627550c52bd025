using System.Text;
using ContainerSdk.Core.Tar;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Tar;

/// <summary>Our archives against GNU tar and python3 tarfile, in both directions.</summary>
[Trait("Category", "EndToEnd")]
public class TarInteropTests
{
    private static readonly string LongName =
        string.Join('/', Enumerable.Range(0, 20).Select(i => $"level-{i:D4}-dir")) + "/a-file-with-a-long-name.txt"; // > 255 bytes
    private const string PrefixName = "opt/" + "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp" + "/split.txt";
    private const string UnicodeName = "données/ファイル.txt";
    private static readonly byte[] XattrValue = { 0x00, 0x0A, 0xFF, 0x3D, 0x20, 0x41 };
    private static readonly string LongTarget = "/usr/lib/" + new string('t', 120);

    private static TarHeader[] SampleEntries()
    {
        var withXattr = new TarHeader { Name = "data/xattr.bin", Size = 3, Mode = 0x1A4, Uid = 1234, Gid = 5678 };
        withXattr.PaxRecords["SCHILY.xattr.user.test"] = XattrValue;
        return new[]
        {
            new TarHeader { Name = "data/", Type = TarEntryType.Directory, Mode = 0x1ED },
            new TarHeader { Name = "data/suid", Size = 5, Mode = Convert.ToInt32("4755", 8), Uid = 1234, Gid = 5678 },
            new TarHeader { Name = "data/sgid", Size = 0, Mode = Convert.ToInt32("2750", 8), Uid = 3000000, Gid = 42 },
            new TarHeader { Name = "data/hard", Type = TarEntryType.HardLink, LinkName = "data/suid" },
            new TarHeader { Name = "data/sym", Type = TarEntryType.SymbolicLink, LinkName = "suid", Mode = 0x1FF },
            new TarHeader { Name = "data/longsym", Type = TarEntryType.SymbolicLink, LinkName = LongTarget, Mode = 0x1FF },
            new TarHeader { Name = "data/fifo", Type = TarEntryType.Fifo, Mode = 0x1A0 },
            new TarHeader { Name = "data/null", Type = TarEntryType.CharacterDevice, Mode = 0x1B6, DeviceMajor = 1, DeviceMinor = 3 },
            new TarHeader { Name = "data/loop9", Type = TarEntryType.BlockDevice, Mode = 0x1B0, DeviceMajor = 7, DeviceMinor = 9 },
            new TarHeader { Name = "data/tmp/", Type = TarEntryType.Directory, Mode = Convert.ToInt32("1777", 8) },
            withXattr,
            new TarHeader { Name = LongName, Size = 4 },
            new TarHeader { Name = PrefixName, Size = 4 },
            new TarHeader { Name = UnicodeName, Size = 4 },
        };
    }

    private static TarHeader Regular(string name, long size) => new() { Name = name, Size = size };

    /// <summary>Contents differ between entries so that a mix-up shows.</summary>
    private static byte[] ContentOf(TarHeader h) =>
        h.Size == 0 ? Array.Empty<byte>() : Encoding.ASCII.GetBytes(h.Name.Length % 2 == 0 ? "abcdefgh" : "12345678")[..(int)h.Size];

    private static string WriteSample(TempDir dir)
    {
        var path = dir.Combine("ours.tar");
        var entries = SampleEntries();
        File.WriteAllBytes(path, TarTestArchives.Write(entries.Select(e => (e, e.Size > 0 ? ContentOf(e) : null)).ToArray()));
        return path;
    }

    [Fact]
    public void Gnu_tar_lists_our_archive()
    {
        var tar = Tools.Require("tar");
        using var dir = new TempDir("tar");
        var archive = WriteSample(dir);
        var listing = Tools.Run(tar, "--numeric-owner", "-tvf", archive).EnsureSuccess("tar -tvf");
        Assert.Empty(listing.StdErr);
        var lines = listing.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(SampleEntries().Length, lines.Length);
        Assert.StartsWith("-rwsr-xr-x 1234/5678", lines[1]);
        Assert.StartsWith("-rwxr-s--- 3000000/42", lines[2]);
        Assert.Contains("data/hard link to data/suid", lines[3]);
        Assert.Contains("data/longsym -> " + LongTarget, lines[5]);
        Assert.StartsWith("crw-rw-rw-", lines[7]);
        Assert.Contains("1,3", lines[7]);
        Assert.StartsWith("brw-rw----", lines[8]);
        Assert.StartsWith("drwxrwxrwt", lines[9]);
        Assert.EndsWith(LongName, lines[11]);
        Assert.EndsWith(PrefixName, lines[12]);
        Assert.EndsWith(UnicodeName, lines[13]);
    }

    [Fact]
    public void Gnu_tar_extracts_our_archive_with_modes_owners_links_and_xattrs()
    {
        var tar = Tools.Require("tar");
        var getfattr = Tools.Require("getfattr");
        Tools.RequireRoot("extracting other owners and device nodes");
        using var dir = new TempDir("tar");
        var archive = WriteSample(dir);
        var root = dir.Combine("root");
        Directory.CreateDirectory(root);
        Tools.Run(tar, "--xattrs", "--numeric-owner", "-xpf", archive, "-C", root).EnsureSuccess("tar --xattrs -xpf");

        string Stat(string rel) => Tools.Run("stat", "-c", "%a %u %g %F %h %t,%T", Path.Combine(root, rel)).EnsureSuccess("stat").StdOut.Trim();
        Assert.Equal("4755 1234 5678 regular file 2 0,0", Stat("data/suid"));
        Assert.Equal("2750 3000000 42 regular empty file 1 0,0", Stat("data/sgid"));
        Assert.Equal("1777 0 0 directory 2 0,0", Stat("data/tmp"));
        Assert.Equal("640 0 0 fifo 1 0,0", Stat("data/fifo"));
        Assert.Equal("666 0 0 character special file 1 1,3", Stat("data/null"));
        Assert.Equal("660 0 0 block special file 1 7,9", Stat("data/loop9"));
        Assert.Equal(Tools.Run("stat", "-c", "%i", Path.Combine(root, "data/suid")).StdOut, Tools.Run("stat", "-c", "%i", Path.Combine(root, "data/hard")).StdOut);
        Assert.Equal("suid", new FileInfo(Path.Combine(root, "data/sym")).LinkTarget);
        Assert.Equal(LongTarget, new FileInfo(Path.Combine(root, "data/longsym")).LinkTarget);
        Assert.Equal(ContentOf(Regular(LongName, 4)), File.ReadAllBytes(Path.Combine(root, LongName)));
        Assert.Equal(ContentOf(Regular(UnicodeName, 4)), File.ReadAllBytes(Path.Combine(root, UnicodeName)));
        Assert.Equal(4, new FileInfo(Path.Combine(root, PrefixName)).Length);

        var xattr = Tools.Run(getfattr, "-e", "hex", "-n", "user.test", Path.Combine(root, "data/xattr.bin")).EnsureSuccess("getfattr");
        Assert.Contains("user.test=0x" + Convert.ToHexString(XattrValue).ToLowerInvariant(), xattr.StdOut);
    }

    [Fact]
    public void Python_tarfile_reads_our_archive()
    {
        using var dir = new TempDir("tar");
        var archive = WriteSample(dir);
        var members = PythonTarfile.List(archive);
        var entries = SampleEntries();
        Assert.Equal(entries.Select(e => TarPath.Key(e.Name)), members.Select(m => m.Name));
        Assert.Equal(entries.Select(e => e.Size), members.Select(m => m.Size));
        Assert.Equal(entries.Select(e => e.Mode), members.Select(m => m.Mode));
        Assert.Equal(entries.Select(e => e.Uid), members.Select(m => m.Uid));
        Assert.Equal(entries.Select(e => e.LinkName), members.Select(m => m.LinkName));
        Assert.Equal(entries.Select(e => ((char)e.Type).ToString()), members.Select(m => m.Type));
        Assert.Equal(Convert.ToHexString(XattrValue).ToLowerInvariant(), members.Single(m => m.Name == "data/xattr.bin").Pax["SCHILY.xattr.user.test"]);
        Assert.Equal(7, members.Single(m => m.Name == "data/loop9").DevMajor);
        Assert.Equal(PythonTarfile.Sha256(ContentOf(Regular(UnicodeName, 4))), members.Single(m => m.Name == UnicodeName).Sha256);
        // Our own reader agrees with python on everything.
        PythonTarfile.AssertSameAsReader(archive);
    }

    /// <summary>A tree with everything GNU tar has to encode specially.</summary>
    private static string MakeTree(TempDir dir, bool withXattr)
    {
        var src = dir.Combine("src");
        Directory.CreateDirectory(Path.Combine(src, Path.GetDirectoryName(LongName)!));
        Directory.CreateDirectory(Path.Combine(src, "données"));
        File.WriteAllText(Path.Combine(src, LongName), "long content\n");
        File.WriteAllText(Path.Combine(src, UnicodeName), "unicode\n");
        var bin = new byte[70_000];
        new Random(7).NextBytes(bin);
        File.WriteAllBytes(Path.Combine(src, "blob.bin"), bin);
        File.WriteAllText(Path.Combine(src, "suid"), "x");
        File.SetUnixFileMode(Path.Combine(src, "suid"), (UnixFileMode)Convert.ToInt32("4755", 8));
        File.CreateSymbolicLink(Path.Combine(src, "sym"), LongTarget);
        Tools.Run("ln", Path.Combine(src, "blob.bin"), Path.Combine(src, "hard")).EnsureSuccess("ln");
        if (withXattr)
            Tools.Run(Tools.Require("setfattr"), "-n", "user.test", "-v", "0x" + Convert.ToHexString(XattrValue), Path.Combine(src, "blob.bin")).EnsureSuccess("setfattr");
        return src;
    }

    [Theory]
    [InlineData("posix", false)]
    [InlineData("gnu", false)]
    [InlineData("posix", true)]
    [InlineData("ustar", false)]
    public void Reader_reads_gnu_tar_archives(string format, bool xattrs)
    {
        var tar = Tools.Require("tar");
        using var dir = new TempDir("tar");
        var src = MakeTree(dir, xattrs);
        var archive = dir.Combine($"gnu-{format}.tar");
        var names = new[] { "level-0000-dir", "données", "blob.bin", "hard", "suid", "sym" };
        var args = new List<string> { $"--format={format}", "--sort=name", "-cf", archive, "-C", src };
        if (xattrs) args.Insert(0, "--xattrs");
        var create = Tools.Run(tar, args.Concat(names));
        if (format == "ustar")
        {
            // ustar cannot hold the >255-byte name or the long link: GNU tar refuses those members and keeps the rest.
            Assert.NotEqual(0, create.ExitCode);
        }
        else create.EnsureSuccess($"tar --format={format}");

        PythonTarfile.AssertSameAsReader(archive);
        var ours = TarTestArchives.ReadAll(File.OpenRead(archive));
        if (format != "ustar")
        {
            Assert.Contains(ours, e => e.Header.Name == LongName && Encoding.ASCII.GetString(e.Content) == "long content\n");
            Assert.Contains(ours, e => e.Header.Name == "sym" && e.Header.LinkName == LongTarget);
        }
        Assert.Contains(ours, e => e.Header.Name == UnicodeName && Encoding.UTF8.GetString(e.Content) == "unicode\n");
        Assert.Contains(ours, e => e.Header.Name == "suid" && e.Header.Mode == Convert.ToInt32("4755", 8));
        Assert.Contains(ours, e => e.Header.Name == "hard" && e.Header.Type == TarEntryType.HardLink && e.Header.LinkName == "blob.bin");
        Assert.Contains(ours, e => e.Header.Name == "données/" && e.Header.Type == TarEntryType.Directory);
        var blob = ours.Single(e => e.Header.Name == "blob.bin");
        Assert.Equal(File.ReadAllBytes(Path.Combine(src, "blob.bin")), blob.Content);
        if (xattrs) Assert.Equal(XattrValue, blob.Header.PaxRecords["SCHILY.xattr.user.test"]);
    }

    [Theory]
    [InlineData("PAX_FORMAT")]
    [InlineData("GNU_FORMAT")]
    public void Reader_reads_python_tarfile_archives(string format)
    {
        using var dir = new TempDir("tar");
        var archive = dir.Combine("py.tar");
        PythonTarfile.Run($$"""
            import tarfile, io, sys
            def add(t, name, data=b"", **kw):
                i = tarfile.TarInfo(name)
                for k, v in kw.items(): setattr(i, k, v)
                i.size = len(data)
                t.addfile(i, io.BytesIO(data))
            with tarfile.open(sys.argv[1], "w", format=tarfile.{{format}}) as t:
                add(t, "dir", type=tarfile.DIRTYPE, mode=0o755)
                add(t, sys.argv[2], b"long\n", mode=0o4711, uid=3000000, gid=5)
                add(t, sys.argv[3], b"unicode\n", mtime=1700000000)
                add(t, "link", type=tarfile.SYMTYPE, linkname=sys.argv[4])
                add(t, "hard", type=tarfile.LNKTYPE, linkname="dir/f")
                add(t, "dir/f", bytes(range(256)) * 9)
                if tarfile.{{format}} == tarfile.PAX_FORMAT:
                    i = tarfile.TarInfo("x")
                    i.pax_headers = {"SCHILY.xattr.user.a": "v=1\n2", "comment": "dropped"}
                    t.addfile(i)
            """, archive, LongName, UnicodeName, LongTarget);

        PythonTarfile.AssertSameAsReader(archive);
        var ours = TarTestArchives.ReadAll(File.OpenRead(archive));
        Assert.Equal(LongName, ours[1].Header.Name);
        Assert.Equal(Convert.ToInt32("4711", 8), ours[1].Header.Mode);
        Assert.Equal(3000000, ours[1].Header.Uid); // GNU_FORMAT: base-256; PAX_FORMAT: a uid record
        Assert.Equal(UnicodeName, ours[2].Header.Name);
        Assert.Equal(LongTarget, ours[3].Header.LinkName);
        Assert.Equal(Enumerable.Repeat(Enumerable.Range(0, 256).Select(i => (byte)i), 9).SelectMany(b => b), ours[5].Content);
        if (format == "PAX_FORMAT")
        {
            Assert.Equal("v=1\n2", Encoding.UTF8.GetString(ours[6].Header.PaxRecords["SCHILY.xattr.user.a"]));
            Assert.DoesNotContain("comment", ours[6].Header.PaxRecords.Keys);
        }
    }
}
