using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Hostile;

/// <summary>Corrupt and truncated gzip, bzip2 and zstd tarballs, compressed by the real tools.</summary>
public class HostileCompressionTests
{
    public static TheoryData<string, string> Compressors => new()
    {
        { "gzip", "tar.gz" }, { "bzip2", "tar.bz2" }, { "zstd", "tar.zst" },
    };

    private static byte[] CompressedBytes(string tool, byte[] plain, HostileRun run)
    {
        var path = run.Jail.Combine("plain-" + tool + ".tar");
        File.WriteAllBytes(path, plain);
        Tools.Run(Tools.Require(tool), tool == "zstd" ? new[] { "-q", "-f", path } : new[] { "-f", path }).EnsureSuccess(tool);
        var compressed = path + (tool switch { "gzip" => ".gz", "bzip2" => ".bz2", _ => ".zst" });
        var bytes = File.ReadAllBytes(compressed);
        File.Delete(compressed);
        if (File.Exists(path)) File.Delete(path);
        return bytes;
    }

    [Trait("Category", "EndToEnd")]
    [Theory]
    [MemberData(nameof(Compressors))]
    public void Intact_compressed_tarball_builds(string tool, string extension)
    {
        using var run = new HostileRun();
        var path = run.AddInput("ok." + extension, CompressedBytes(tool, Plain(), run));
        run.Build(run.Base(), HostileRun.Module(path));
        Assert.True(File.Exists(run.Bundle));
    }

    [Trait("Category", "EndToEnd")]
    [Theory]
    [MemberData(nameof(Compressors))]
    public void Truncated_compressed_tarball_is_refused(string tool, string extension)
    {
        using var run = new HostileRun();
        var bytes = CompressedBytes(tool, Plain(), run);
        var path = run.AddInput("cut." + extension, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<ContainerSdkException>(() => run.Build(run.Base(), HostileRun.Module(path)));
        Assert.True(e.Code is Codes.CorruptCompression or Codes.CorruptArchive, $"{e.Code}: {e.Message}");
        Assert.Contains("cut." + extension, e.Message);
        run.AssertNothingWritten();
    }

    /// <summary>Only the end of the stream is missing (gzip's CRC and size, bzip2's and zstd's last block checks): the tar inside may look complete.</summary>
    [Trait("Category", "EndToEnd")]
    [Theory]
    [MemberData(nameof(Compressors))]
    public void Compressed_tarball_missing_only_its_trailer_is_refused(string tool, string extension)
    {
        using var run = new HostileRun();
        var bytes = CompressedBytes(tool, Plain(), run);
        var path = run.AddInput("notrailer." + extension, bytes[..^4]);
        var e = Assert.Throws<ContainerSdkException>(() => run.Build(run.Base(), HostileRun.Module(path)));
        Assert.True(e.Code == Codes.CorruptCompression, $"{e.Code}: {e.Message}");
        Assert.Contains("notrailer." + extension, e.Message);
        run.AssertNothingWritten();
    }

    /// <summary>The trailer check must not refuse a valid gzip of several members (pigz -i, cat a.gz b.gz).</summary>
    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Multi_member_gzip_builds()
    {
        using var run = new HostileRun();
        var plain = Plain();
        var first = CompressedBytes("gzip", plain[..100_000], run);
        var second = CompressedBytes("gzip", plain[100_000..], run);
        var path = run.AddInput("members.tar.gz", first.Concat(second).ToArray());
        run.Build(run.Base(), HostileRun.Module(path));
        Assert.True(File.Exists(run.Bundle));
    }

    [Trait("Category", "EndToEnd")]
    [Theory]
    [MemberData(nameof(Compressors))]
    public void Flipped_byte_in_compressed_data_is_refused(string tool, string extension)
    {
        using var run = new HostileRun();
        var bytes = CompressedBytes(tool, Plain(), run);
        bytes[bytes.Length / 2] ^= 0x55;
        var path = run.AddInput("flipped." + extension, bytes);
        var e = Assert.Throws<ContainerSdkException>(() => run.Build(run.Base(), HostileRun.Module(path)));
        Assert.True(e.Code is Codes.CorruptCompression or Codes.CorruptArchive, $"{e.Code}: {e.Message}");
        Assert.Contains("flipped." + extension, e.Message);
        run.AssertNothingWritten();
    }

    [Theory]
    [MemberData(nameof(Compressors))]
    public void Compression_magic_followed_by_garbage_is_refused(string tool, string extension)
    {
        using var run = new HostileRun();
        var magic = tool switch { "gzip" => new byte[] { 0x1F, 0x8B }, "bzip2" => "BZh"u8.ToArray(), _ => new byte[] { 0x28, 0xB5, 0x2F, 0xFD } };
        var path = run.AddInput("garbage." + extension, magic.Concat(Enumerable.Repeat((byte)0xA5, 3000)).ToArray());
        var e = Assert.Throws<ContainerSdkException>(() => run.Build(run.Base(), HostileRun.Module(path)));
        Assert.True(e.Code == Codes.CorruptCompression, $"{e.Code}: {e.Message}");
        Assert.Contains("garbage." + extension, e.Message);
        run.AssertNothingWritten();
    }

    private static byte[] Plain()
    {
        var random = new Random(42);
        var tar = new RawTar();
        for (int i = 0; i < 4; i++)
        {
            var data = new byte[100_000];
            random.NextBytes(data);
            tar.Entry(RawTar.Utf8($"file{i}.bin"), data: data);
        }
        return tar.Bytes();
    }
}
