using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Tests.Layers;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Hostile;

/// <summary>
/// Hostile module and base tarballs, built through the engine facade as the tasks call it. Each must end in the
/// documented coded error (naming the archive and the entry) or warning; none may write an image, a bundle or
/// anything outside the project's folders.
/// </summary>
public class HostileArchiveTests
{
    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("ok/../../escape.txt")]
    [InlineData("./../../../../../../tmp/escape.txt")]
    public void Entry_climbing_out_with_dotdot_is_refused(string name)
    {
        using var run = new HostileRun();
        var tar = run.AddInput("dotdot.tar", new RawTar().Entry("ok/fine", data: "x").Entry(name, data: "evil").Bytes());
        var e = run.BuildFails(Codes.EntryEscapesRoot, tar);
        Assert.Contains("escape.txt", e.Message);
    }

    [Fact]
    public void Dotdot_in_a_pax_path_is_refused_too()
    {
        using var run = new HostileRun();
        var tar = run.AddInput("paxdotdot.tar", new RawTar().Pax(("path", "a/../../escape.txt")).Entry("innocent", data: "evil").Bytes());
        var e = run.BuildFails(Codes.EntryEscapesRoot, tar);
        Assert.Contains("escape.txt", e.Message);
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Absolute_entry_is_normalised_under_the_target_with_a_warning()
    {
        using var run = new HostileRun();
        var tar = run.AddInput("abs.tar", new RawTar().Entry("/etc/abs.conf", data: "abs\n").Bytes());
        run.Build(run.Base(), HostileRun.Module(tar, "/opt/mod"));

        var warning = Assert.Single(run.Log.Warnings, w => w.Code == Codes.AbsolutePathNormalized);
        Assert.Contains("/etc/abs.conf", warning.Message);
        Assert.Contains("abs.tar", warning.Message);
        var layer = Layer(run, 1);
        Assert.Contains("opt/mod/etc/abs.conf", HostileRun.List(layer));
        Assert.Equal("abs\n", HostileRun.Cat(layer, "opt/mod/etc/abs.conf"));
    }

    [Theory]
    [InlineData("/etc")]
    [InlineData("../../..")]
    [InlineData("sub")]
    public void Entry_written_through_a_symlink_the_archive_planted_is_refused(string linkTarget)
    {
        using var run = new HostileRun();
        var tar = run.AddInput("planted.tar", new RawTar()
            .Entry("sub/", type: '5')
            .Entry("link", type: '2', linkName: linkTarget)
            .Entry("link/passwd", data: "pwned\n").Bytes());
        var e = run.BuildFails(Codes.UnsafeLink, tar);
        Assert.Contains("link/passwd", e.Message);
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Symlink_alone_is_stored_as_a_link_whatever_it_points_to()
    {
        using var run = new HostileRun();
        var tar = run.AddInput("links.tar", new RawTar().Entry("up", type: '2', linkName: "../../../../etc/shadow").Bytes());
        run.Build(run.Base(), HostileRun.Module(tar));
        var verbose = Tools.Run("sh", "-c", $"gzip -dc '{Layer(run, 1)}' | tar -tvf -").EnsureSuccess("tar -tv").StdOut;
        Assert.Contains("opt/mod/up -> ../../../../etc/shadow", verbose);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/shadow")]
    [InlineData("later")]
    [InlineData("dir")]
    public void Hard_link_outside_the_archive_or_to_a_later_entry_or_a_directory_is_refused(string target)
    {
        using var run = new HostileRun();
        var tar = run.AddInput("hardlink.tar", new RawTar()
            .Entry("dir/", type: '5')
            .Entry("hl", type: '1', linkName: target)
            .Entry("later", data: "later").Bytes());
        var e = run.BuildFails(Codes.UnsafeLink, tar);
        Assert.Contains("'hl'", e.Message);
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Hard_link_to_an_earlier_file_is_kept()
    {
        using var run = new HostileRun();
        var tar = run.AddInput("goodlink.tar", new RawTar().Entry("z-file", data: "data").Entry("a-link", type: '1', linkName: "z-file").Bytes());
        run.Build(run.Base(), HostileRun.Module(tar));
        // Sorted, the link comes first: it takes the data and the file links to it; extracted, both read the same.
        var dest = run.Jail.Combine("proj", "out", "x");
        Directory.CreateDirectory(dest);
        Tools.Run("sh", "-c", $"gzip -dc '{Layer(run, 1)}' | tar -xf - -C '{dest}'").EnsureSuccess("tar -x");
        Assert.Equal("data", File.ReadAllText(Path.Combine(dest, "opt/mod/a-link")));
        Assert.Equal("data", File.ReadAllText(Path.Combine(dest, "opt/mod/z-file")));
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Duplicate_entries_keep_the_last_with_a_warning()
    {
        using var run = new HostileRun();
        var tar = run.AddInput("dup.tar", new RawTar().Entry("etc/app.conf", data: "first").Entry("other", data: "o").Entry("etc/app.conf", data: "last").Bytes());
        run.Build(run.Base(), HostileRun.Module(tar));
        var warning = Assert.Single(run.Log.Warnings, w => w.Code == Codes.DuplicateEntry);
        Assert.Contains("etc/app.conf", warning.Message);
        Assert.Contains("dup.tar", warning.Message);
        var layer = Layer(run, 1);
        Assert.Single(HostileRun.List(layer), n => n == "opt/mod/etc/app.conf");
        Assert.Equal("last", HostileRun.Cat(layer, "opt/mod/etc/app.conf"));
    }

    [Fact]
    public void Name_with_a_nul_in_a_pax_path_is_refused()
    {
        using var run = new HostileRun();
        var tar = run.AddInput("nulpax.tar", new RawTar().Pax(("path", "safe\0evil")).Entry("x", data: "x").Bytes());
        var e = run.BuildFails(Codes.CorruptArchive, tar);
        Assert.Contains("NUL", e.Message);
    }

    [Fact]
    public void Name_with_a_nul_in_a_gnu_long_name_is_refused()
    {
        using var run = new HostileRun();
        var name = RawTar.Utf8("safe-" + new string('n', 120) + "\0../../evil\0");
        var tar = run.AddInput("nulgnu.tar", new RawTar().GnuLongName(name).Entry("short", data: "x").Bytes());
        var e = run.BuildFails(Codes.CorruptArchive, tar);
        Assert.Contains("NUL", e.Message);
    }

    [Fact]
    public void Name_that_is_not_utf8_is_refused()
    {
        using var run = new HostileRun();
        var tar = run.AddInput("latin1.tar", new RawTar().Entry(new byte[] { (byte)'c', (byte)'a', (byte)'f', 0xE9 }, data: RawTar.Utf8("x")).Bytes());
        var e = run.BuildFails(Codes.CorruptArchive, tar);
        Assert.Contains("UTF-8", e.Message);
        Assert.Contains("caf", e.Message);
    }

    [Fact]
    public void Pax_path_that_is_not_utf8_is_refused()
    {
        using var run = new HostileRun();
        var records = new List<byte>(RawTar.Utf8("14 path=caf"));
        records.AddRange(new byte[] { 0xE9, 0xFF, (byte)'\n' });
        var bytes = new RawTar().Entry(RawTar.Utf8("PaxHeaders/x"), 'x', records.ToArray()).Entry("x", data: "x").Bytes();
        var e = run.BuildFails(Codes.CorruptArchive, run.AddInput("paxlatin1.tar", bytes));
        Assert.Contains("UTF-8", e.Message);
    }

    [Fact]
    public void Data_shorter_than_the_header_says_is_refused()
    {
        using var run = new HostileRun();
        // The header claims 10000 bytes; the archive ends after 100 (no end blocks).
        var bytes = new RawTar().Entry("ok", data: "ok").Entry("big.bin", claimedSize: 10000).Raw(new byte[100]).Bytes(end: false);
        var e = run.BuildFails(Codes.CorruptArchive, run.AddInput("short.tar", bytes));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("big.bin", e.Message);
    }

    [Theory]
    [InlineData(1L << 40)]       // 1 TiB, octal
    [InlineData(1L << 62)]       // base-256
    public void Huge_claimed_size_is_refused_without_allocating_it(long size)
    {
        using var run = new HostileRun();
        var bytes = new RawTar().Entry("huge.bin", claimedSize: size).Raw(new byte[512]).Bytes();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = run.BuildFails(Codes.CorruptArchive, run.AddInput("huge.tar", bytes));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 256L << 20, "the build allocated what the header claimed");
        Assert.Contains("huge.bin", e.Message);
    }

    [Fact]
    public void Huge_pax_size_record_is_refused()
    {
        using var run = new HostileRun();
        var bytes = new RawTar().Pax(("size", "999999999999999999")).Entry("paxhuge.bin", data: "x").Bytes();
        var e = run.BuildFails(Codes.CorruptArchive, run.AddInput("paxhuge.tar", bytes));
        Assert.Contains("paxhuge.bin", e.Message);
    }

    [Fact]
    public void Huge_pax_header_is_refused_before_it_is_read()
    {
        using var run = new HostileRun();
        var bytes = new RawTar().Entry(RawTar.Utf8("PaxHeaders/big"), 'x', claimedSize: 1L << 35).Raw(new byte[1024]).Bytes();
        var e = run.BuildFails(Codes.CorruptArchive, run.AddInput("paxbig.tar", bytes));
        Assert.Contains("more than", e.Message);
    }

    [Fact]
    public void Corrupt_header_checksum_is_refused()
    {
        using var run = new HostileRun();
        var bytes = new RawTar().Entry("ok", data: "ok").Entry("tampered", data: "x", badChecksum: true).Bytes();
        var e = run.BuildFails(Codes.CorruptArchive, run.AddInput("checksum.tar", bytes));
        Assert.Contains("checksum", e.Message);
        Assert.Contains("tampered", e.Message);
    }

    [Fact]
    public void Header_size_smaller_than_the_data_is_caught_by_the_next_checksum()
    {
        using var run = new HostileRun();
        // Says 10 bytes, holds 600: the reader lands in the data and must not take it for a header.
        var data = new string('A', 600);
        var bytes = new RawTar().Entry("liar", data: data, claimedSize: 10).Bytes();
        run.BuildFails(Codes.CorruptArchive, run.AddInput("liar.tar", bytes));
    }

    [Theory]
    [InlineData("99 path=x\n")]              // claims more than the header holds
    [InlineData("5 path=x\n")]               // shorter than its own record
    [InlineData("x path=y\n")]               // not a number
    [InlineData("11 pathxyz\n")]             // no '='
    [InlineData("12 path=abcd")]             // no newline
    [InlineData("00000000000000000012 a=b\n")] // a length with too many digits
    public void Pax_record_with_a_bad_length_is_refused(string records)
    {
        using var run = new HostileRun();
        var bytes = new RawTar().PaxRaw(records).Entry("x", data: "x").Bytes();
        var e = run.BuildFails(Codes.CorruptArchive, run.AddInput("badpax.tar", bytes));
        Assert.Contains("PAX", e.Message);
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Gnu_long_name_is_read()
    {
        using var run = new HostileRun();
        var longName = "deep/" + new string('d', 150) + "/file.txt";
        var tar = run.AddInput("longname.tar", new RawTar().GnuLongName(RawTar.Utf8(longName + "\0")).Entry("trunc", data: "long").Bytes());
        run.Build(run.Base(), HostileRun.Module(tar));
        Assert.Equal("long", HostileRun.Cat(Layer(run, 1), "opt/mod/" + longName));
    }

    [Fact]
    public void Gnu_long_name_claiming_too_much_is_refused()
    {
        using var run = new HostileRun();
        var bytes = new RawTar().GnuLongName(RawTar.Utf8("x"), claimedSize: 1L << 33).Raw(new byte[1024]).Bytes();
        var e = run.BuildFails(Codes.CorruptArchive, run.AddInput("longbig.tar", bytes));
        Assert.Contains("GNU long name", e.Message);
    }

    [Fact]
    public void Gnu_long_name_with_dotdot_is_refused()
    {
        using var run = new HostileRun();
        var name = string.Concat(Enumerable.Repeat("../", 40)) + "escape.txt\0";
        var bytes = new RawTar().GnuLongName(RawTar.Utf8(name)).Entry("short", data: "x").Bytes();
        var e = run.BuildFails(Codes.EntryEscapesRoot, run.AddInput("longdotdot.tar", bytes));
        Assert.Contains("escape.txt", e.Message);
    }

    [Fact]
    public void Gnu_sparse_entry_is_refused_as_unsupported()
    {
        using var run = new HostileRun();
        var bytes = new RawTar().Entry("sparse.img", type: 'S', data: "x").Bytes();
        var e = run.BuildFails(Codes.UnsupportedInputFormat, run.AddInput("sparse.tar", bytes));
        Assert.Contains("sparse.img", e.Message);
        Assert.Contains("sparse", e.Message);
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Gnu_tar_sparse_archives_in_both_formats_are_refused()
    {
        var tar = Tools.Require("tar");
        using var run = new HostileRun();
        var src = run.Jail.Combine("sparse-src");
        Directory.CreateDirectory(src);
        using (var f = File.Create(Path.Combine(src, "disk.img"))) { f.SetLength(1 << 20); f.Position = 4096; f.WriteByte(1); }
        foreach (var format in new[] { "gnu", "posix" })
        {
            var archive = run.Input($"sparse-{format}.tar");
            Tools.Run(tar, "--sparse", $"--format={format}", "-C", src, "-cf", archive, "disk.img").EnsureSuccess("tar --sparse");
            var e = Assert.Throws<ContainerSdkException>(() => run.Build(run.Base(), HostileRun.Module(archive)));
            Assert.Equal(Codes.UnsupportedInputFormat, e.Code);
            Assert.Contains("disk.img", e.Message);
            Assert.Contains($"sparse-{format}.tar", e.Message);
        }
    }

    [Fact]
    public void Hostile_base_layer_is_refused_like_a_module()
    {
        using var run = new HostileRun();
        var tar = run.AddInput("base.tar", new RawTar().Entry("etc/", type: '5').Entry("../../root/.bashrc", data: "evil").Bytes());
        var e = Assert.Throws<ContainerSdkException>(() => run.Build(Layers.EngineRun.Base(tar)));
        Assert.Equal(Codes.EntryEscapesRoot, e.Code);
        Assert.Contains("base.tar", e.Message);
        Assert.Contains(".bashrc", e.Message);
        run.AssertNothingWritten();
    }

    private static string Layer(HostileRun run, int index)
    {
        var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Layout, "index.json")));
        var digest = manifest.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
        var m = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Layout, "blobs", "sha256", digest["sha256:".Length..])));
        var layer = m.RootElement.GetProperty("layers")[index].GetProperty("digest").GetString()!;
        return Path.Combine(run.Layout, "blobs", "sha256", layer["sha256:".Length..]);
    }
}
