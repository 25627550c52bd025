using System.Text;
using ContainerSdk.Core.Acl;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Acl;

/// <summary>The binary xattr and GNU tar's text, compared with what the kernel and GNU tar produce for the same file.</summary>
public sealed class AclEncodingTests
{
    private static AclDumpEntry Dumped(AclTree tree, string relative)
    {
        var text = Tools.Run("getfacl", new[] { "-n", relative }, workingDirectory: tree.Root).EnsureSuccess("getfacl").StdOut;
        return Assert.Single(AclDumpParser.Parse(new StringReader(text), "getfacl", "/", PasswdResolver.Empty()));
    }

    private static byte[] Getfattr(AclTree tree, string relative, string name)
    {
        Tools.Require("getfattr");
        var output = Tools.Run("getfattr", new[] { "--absolute-names", "-e", "hex", "-n", name, relative }, workingDirectory: tree.Root)
            .EnsureSuccess("getfattr").StdOut;
        // "# file: x\nsystem.posix_acl_access=0x0200...\n"
        var line = output.Split('\n').Single(l => l.StartsWith(name + "=0x", StringComparison.Ordinal));
        return Convert.FromHexString(line[(name.Length + 3)..]);
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Xattr_encoding_is_byte_exact_with_what_the_kernel_stores()
    {
        using var tree = AclTree.Create();
        tree.Populate();
        foreach (var file in new[] { "named", "masked", "shared", "ünïcödé-数据" })
        {
            var acls = Dumped(tree, file).Acls;
            var kernel = Getfattr(tree, file, AclXattr.AccessName);
            Assert.Equal(Convert.ToHexString(kernel), Convert.ToHexString(AclXattr.Encode(acls.Access!)));
            Assert.Equal(acls.Access, AclXattr.Decode(kernel));
        }
        var shared = Dumped(tree, "shared").Acls.Default!;
        var kernelDefault = Getfattr(tree, "shared", AclXattr.DefaultName);
        Assert.Equal(Convert.ToHexString(kernelDefault), Convert.ToHexString(AclXattr.Encode(shared)));
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Disk_acls_read_through_lgetxattr_match_getfacl()
    {
        using var tree = AclTree.Create();
        tree.Populate();
        foreach (var file in new[] { "named", "masked", "shared", "default-only", "new\nline" })
        {
            var fromGetfacl = Dumped(tree, file).Acls;
            var fromDisk = DiskAcl.Read(Path.Combine(tree.Root, file));
            Assert.NotNull(fromDisk);
            Assert.Equal(fromGetfacl.Default, fromDisk!.Default);
            if (fromGetfacl.Access!.IsExtended) Assert.Equal(fromGetfacl.Access, fromDisk.Access);
            else Assert.Null(fromDisk.Access);
        }
        Assert.Null(DiskAcl.Read(Path.Combine(tree.Root, "plain")));

        // A link is never followed: it has no ACL even when its target does.
        var link = Path.Combine(tree.Root, "link-to-named");
        File.CreateSymbolicLink(link, "named");
        Assert.Null(DiskAcl.Read(link));
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Text_encoding_is_what_gnu_tar_writes_in_SCHILY_acl_records()
    {
        Tools.Require("tar");
        Tools.Require("python3");
        using var tree = AclTree.Create();
        // Only ids without a name on this machine, so GNU tar prints numbers as the engine does.
        tree.File("f");
        tree.SetFacl("f", "-m", "u:4242:r--,u:4444:rwx,g:4343:-w-,g::r-x,m::rwx");
        tree.Folder("d");
        tree.SetFacl("d", "-d", "-m", "u:4242:rwx,g:4343:r-x,o::---");
        tree.File("m");
        tree.SetFacl("m", "-m", "u:4242:rwx,m::r--");

        var tarPath = Path.Combine(tree.Root, "x.tar");
        Tools.Run("tar", new[] { "--acls", "--xattrs", "--format=posix", "-cf", tarPath, "f", "d", "m" }, workingDirectory: tree.Root)
            .EnsureSuccess("tar --acls");
        var pax = ReadPax(tarPath);

        foreach (var name in new[] { "f", "m" })
        {
            var access = Dumped(tree, name).Acls.Access!;
            Assert.Equal(Encoding.UTF8.GetString(pax[name][AclPax.TextAccessKey]), AclText.Encode(access));
            Assert.Equal(access, AclText.Decode(Encoding.UTF8.GetString(pax[name][AclPax.TextAccessKey])));

            // The four records the engine writes: the two GNU tar wrote, byte for byte.
            var records = AclPax.Records(new AclSet(access, null)).ToDictionary(r => r.Key, r => r.Value);
            Assert.Equal(new[] { AclPax.TextAccessKey, AclPax.XattrAccessKey }, records.Keys.ToArray());
            Assert.Equal(pax[name][AclPax.TextAccessKey], records[AclPax.TextAccessKey]);
            Assert.Equal(pax[name][AclPax.XattrAccessKey], records[AclPax.XattrAccessKey]);
            Assert.Equal(new AclSet(access, null), AclPax.Read(pax[name]));
        }

        var dir = Dumped(tree, "d").Acls;
        Assert.Equal(Encoding.UTF8.GetString(pax["d"][AclPax.TextDefaultKey]), AclText.Encode(dir.Default!));
        Assert.Equal(pax["d"][AclPax.XattrDefaultKey], AclPax.Records(dir).Single(r => r.Key == AclPax.XattrDefaultKey).Value);
        Assert.Equal(new AclSet(null, dir.Default), AclPax.Read(pax["d"]));

        // An archive with text records only (tar --acls without --xattrs) reads the same.
        var textOnly = pax["f"].Where(kv => kv.Key.StartsWith("SCHILY.acl.")).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(AclPax.Read(pax["f"]), AclPax.Read(textOnly));
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Gnu_tar_restores_the_numeric_text_records_the_engine_writes()
    {
        Tools.Require("tar");
        Tools.Require("python3");
        using var tree = AclTree.Create();
        var access = PosixAcl.Create(new[]
        {
            AclEntry.UserObj(6), AclEntry.User(0, 7), AclEntry.User(4242, 4), AclEntry.GroupObj(4), AclEntry.Group(4343, 2),
            AclEntry.Mask(6), AclEntry.Other(0),
        });
        var @default = PosixAcl.Create(new[] { AclEntry.UserObj(7), AclEntry.User(4242, 7), AclEntry.GroupObj(5), AclEntry.Mask(7), AclEntry.Other(0) });
        var fileRecords = AclPax.Records(new AclSet(access, null)).Where(r => r.Key.StartsWith("SCHILY.acl."));
        var dirRecords = AclPax.Records(new AclSet(null, @default)).Where(r => r.Key.StartsWith("SCHILY.acl."));

        // python3's tarfile writes the archive (text records only, so GNU tar must use the text), GNU tar extracts it.
        const string script = """
            import sys, tarfile, io
            def rec(arg): return dict(kv.split('=', 1) for kv in arg.split('|') if kv) if arg else {}
            with tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT) as t:
                d = tarfile.TarInfo('d'); d.type = tarfile.DIRTYPE; d.mode = 0o755
                d.pax_headers = {k: bytes.fromhex(v).decode() for k, v in rec(sys.argv[3]).items()}
                t.addfile(d)
                f = tarfile.TarInfo('d/f'); f.mode = 0o660; f.size = 0
                f.pax_headers = {k: bytes.fromhex(v).decode() for k, v in rec(sys.argv[2]).items()}
                t.addfile(f, io.BytesIO(b''))
            """;
        string Arg(IEnumerable<KeyValuePair<string, byte[]>> records) => string.Join('|', records.Select(r => r.Key + "=" + Convert.ToHexString(r.Value)));
        var tarPath = Path.Combine(tree.Root, "engine.tar");
        Tools.Run("python3", "-c", script, tarPath, Arg(fileRecords), Arg(dirRecords)).EnsureSuccess("python3 tarfile");
        var outDir = Directory.CreateDirectory(Path.Combine(tree.Root, "out")).FullName;
        Tools.Run("tar", "--acls", "-xpf", tarPath, "-C", outDir).EnsureSuccess("tar --acls -x");

        var extracted = DiskAcl.Read(Path.Combine(outDir, "d", "f"));
        Assert.Equal(access, extracted?.Access);
        Assert.Equal(@default, DiskAcl.Read(Path.Combine(outDir, "d"))?.Default);
    }

    [Fact]
    public void Pax_apply_replaces_old_acl_records_and_keeps_others()
    {
        var old = new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [AclPax.XattrDefaultKey] = new byte[] { 1 },
            [AclPax.TextDefaultKey] = new byte[] { 2 },
            ["SCHILY.xattr.user.note"] = new byte[] { 3 },
        };
        var access = PosixAcl.Create(new[] { AclEntry.UserObj(6), AclEntry.User(1001, 4), AclEntry.GroupObj(4), AclEntry.Mask(4), AclEntry.Other(0) });

        AclPax.Apply(old, new AclSet(access, null));

        Assert.Equal(new[] { AclPax.TextAccessKey, AclPax.XattrAccessKey, "SCHILY.xattr.user.note" }, old.Keys.ToArray());
        Assert.Equal("user::rw-\nuser:1001:r--\ngroup::r--\nmask::r--\nother::---\n", Encoding.UTF8.GetString(old[AclPax.TextAccessKey]));

        // A base-only access ACL is the mode alone: no records.
        AclPax.Apply(old, new AclSet(PosixAcl.FromMode(0x1ED), null));
        Assert.Equal(new[] { "SCHILY.xattr.user.note" }, old.Keys.ToArray());
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Disk_xattrs_returns_user_and_capability_attributes_raw_without_following_links()
    {
        Tools.Require("setfattr");
        Tools.RequireRoot("security.capability can only be set by root");
        using var tree = AclTree.Create();
        var f = tree.File("f");
        tree.SetFacl("f", "-m", "u:4242:r--");
        var binary = new byte[] { 0, 1, 0xFF, 0x80, (byte)'\n' };
        Tools.Run("setfattr", "-n", "user.binary", "-v", "0x" + Convert.ToHexString(binary), f).EnsureSuccess("setfattr user");
        Tools.Run("setfattr", "-n", "user.text", "-v", "hello", f).EnsureSuccess("setfattr user");
        // VFS_CAP_REVISION_2 with CAP_NET_RAW (13) permitted and effective.
        var cap = Convert.FromHexString("0100000200200000000000000000000000000000");
        var setcap = Tools.Run("setfattr", "-n", "security.capability", "-v", "0x" + Convert.ToHexString(cap), f);

        var xattrs = DiskXattrs.ReadAll(f);

        Assert.Equal(binary, xattrs["user.binary"]);
        Assert.Equal("hello"u8.ToArray(), xattrs["user.text"]);
        Assert.DoesNotContain(AclXattr.AccessName, xattrs.Keys);
        if (setcap.ExitCode == 0) Assert.Equal(cap, xattrs["security.capability"]);
        Assert.Equal(xattrs.Keys.OrderBy(k => k, StringComparer.Ordinal), xattrs.Keys);

        var link = Path.Combine(tree.Root, "link");
        File.CreateSymbolicLink(link, "f");
        Assert.Empty(DiskXattrs.ReadAll(link));
    }

    /// <summary>Each member's PAX records as raw bytes, read by python3's tarfile (an independent reader).</summary>
    private static Dictionary<string, Dictionary<string, byte[]>> ReadPax(string tarPath)
    {
        const string script = """
            import sys, tarfile
            for m in tarfile.open(sys.argv[1], encoding='utf-8', errors='surrogateescape'):
                for k, v in sorted(m.pax_headers.items()):
                    if k.startswith('SCHILY.'):
                        print(m.name.rstrip('/'), k, v.encode('utf-8', 'surrogateescape').hex())
            """;
        var output = Tools.Run("python3", "-c", script, tarPath).EnsureSuccess("python3 tarfile").StdOut;
        var result = new Dictionary<string, Dictionary<string, byte[]>>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            if (!result.TryGetValue(parts[0], out var records)) result[parts[0]] = records = new(StringComparer.Ordinal);
            records[parts[1]] = Convert.FromHexString(parts[2]);
        }
        return result;
    }
}
