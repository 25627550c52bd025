using System.Security.Cryptography;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Tar;

using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Blobs;

public class LayerBlobWriterTests
{
    /// <summary>A real tar, from GNU tar, of a few files including one large enough to span many writes.</summary>
    internal static string MakeTar(TempDir dir, string name = "layer.tar", string text = "hello from the layer\n")
    {
        var tar = Tools.Require("tar");
        var src = dir.Combine("src-" + name);
        Directory.CreateDirectory(Path.Combine(src, "etc"));
        File.WriteAllText(Path.Combine(src, "etc", "hello.txt"), text);
        var big = new byte[300_000];
        new Random(42).NextBytes(big.AsSpan(0, 100_000)); // part incompressible, part zeros
        File.WriteAllBytes(Path.Combine(src, "big.bin"), big);
        var path = dir.Combine(name);
        Tools.Run(tar, "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "--format=posix",
            "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime", "-cf", path, "-C", src, ".").EnsureSuccess("tar -c");
        return path;
    }

    private static LayerBlob WriteBlob(string tarPath, string directory, LayerCompression compression, int chunk = 8191)
    {
        using var writer = LayerBlobWriter.Create(directory, compression);
        using (var input = File.OpenRead(tarPath))
        {
            var buffer = new byte[chunk];
            int n;
            while ((n = input.Read(buffer)) > 0) writer.Write(buffer, 0, n);
        }
        return writer.Complete();
    }

    private static string Sha256File(string path)
    {
        using var s = File.OpenRead(path);
        return "sha256:" + Convert.ToHexString(SHA256.HashData(s)).ToLowerInvariant();
    }

    private static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    private static byte[] Decompress(string tool, string blob)
    {
        var output = blob + ".out";
        var sh = Tools.Require("sh");
        Tools.Run(sh, new[] { "-c", "\"$1\" -dc \"$2\" > \"$3\"", "sh", Tools.Require(tool), blob, output })
            .EnsureSuccess($"{tool} -dc {blob}");
        try { return File.ReadAllBytes(output); } finally { File.Delete(output); }
    }

    // internal: its parameters name an engine type, which is internal (xunit runs internal test methods too).
    [Trait("Category", "EndToEnd")]
    [Theory]
    [InlineData(LayerCompression.Gzip, "gzip", MediaTypes.LayerGzip)]
    [InlineData(LayerCompression.Zstd, "zstd", MediaTypes.LayerZstd)]
    internal void DiffId_is_sha256_of_the_decompressed_blob_and_digest_of_the_blob(LayerCompression compression, string tool, string mediaType)
    {
        using var dir = new TempDir("lbw");
        var tar = MakeTar(dir);
        var cache = dir.Combine("cache");
        var blob = WriteBlob(tar, cache, compression);

        Assert.Equal(mediaType, blob.Descriptor.MediaType);
        Assert.Equal(Path.Combine(cache, blob.Descriptor.Digest.Hex), blob.BlobPath);
        Assert.Equal(Sha256File(blob.BlobPath), blob.Descriptor.Digest.ToString());
        Assert.Equal(new FileInfo(blob.BlobPath).Length, blob.Descriptor.Size);
        var decompressed = Decompress(tool, blob.BlobPath);
        Assert.Equal(Sha256(decompressed), blob.DiffId.ToString());
        Assert.Equal(Sha256File(tar), blob.DiffId.ToString());
        Assert.Equal(new FileInfo(tar).Length, blob.UncompressedSize);
        Assert.True(blob.Descriptor.Size < blob.UncompressedSize);
        Assert.Equal(new[] { blob.BlobPath }, Directory.GetFiles(cache)); // no temp file left
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Gzip_output_is_identical_across_runs_and_chunkings_and_passes_gzip_t()
    {
        using var dir = new TempDir("lbw");
        var tar = MakeTar(dir);
        var first = WriteBlob(tar, dir.Combine("a"), LayerCompression.Gzip, chunk: 8191);
        var second = WriteBlob(tar, dir.Combine("b"), LayerCompression.Gzip, chunk: 65536);
        Assert.Equal(first.Descriptor, second.Descriptor);
        Assert.Equal(File.ReadAllBytes(first.BlobPath), File.ReadAllBytes(second.BlobPath));

        var header = File.ReadAllBytes(first.BlobPath).AsSpan(0, 10).ToArray();
        Assert.Equal(new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0 }, header[..8]); // no flags (no name), mtime 0
        Assert.Equal(3, header[9]); // OS: Unix, whatever platform built it
        Tools.Run(Tools.Require("gzip"), "-t", first.BlobPath).EnsureSuccess("gzip -t");
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Uncompressed_blob_is_the_tar_itself()
    {
        using var dir = new TempDir("lbw");
        var tar = MakeTar(dir);
        var blob = WriteBlob(tar, dir.Combine("c"), LayerCompression.None);
        Assert.Equal(MediaTypes.LayerTar, blob.Descriptor.MediaType);
        Assert.Equal(blob.DiffId, blob.Descriptor.Digest);
        Assert.Equal(File.ReadAllBytes(tar), File.ReadAllBytes(blob.BlobPath));
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Existing_blob_is_kept_and_the_temp_file_removed()
    {
        using var dir = new TempDir("lbw");
        var tar = MakeTar(dir);
        var cache = dir.Combine("cache");
        var first = WriteBlob(tar, cache, LayerCompression.Gzip);
        var second = WriteBlob(tar, cache, LayerCompression.Gzip);
        Assert.Equal(first, second);
        Assert.Single(Directory.GetFiles(cache));
    }

    [Fact]
    public void Dispose_without_complete_deletes_the_temp_file()
    {
        using var dir = new TempDir("lbw");
        var cache = dir.Combine("cache");
        using (var writer = LayerBlobWriter.Create(cache, LayerCompression.Zstd))
        {
            writer.Write(new byte[10_000]);
            Assert.Single(Directory.GetFiles(cache));
        }
        Assert.Empty(Directory.GetFiles(cache));
    }

    /// <summary>
    /// The tar writer reads content straight into the layer's gzip chunks (or, for the other compressions, a buffer of
    /// the blob writer's): the tar is the same bytes as through a plain stream, whatever the compression and however
    /// entries straddle chunks, and content that ends early or runs on still means the file changed.
    /// </summary>
    [Theory]
    [InlineData(LayerCompression.Gzip)]
    [InlineData(LayerCompression.Zstd)]
    [InlineData(LayerCompression.None)]
    internal void Content_read_in_place_gives_the_same_tar_and_the_same_checks(LayerCompression compression)
    {
        using var dir = new TempDir("lbw");
        var random = new Random(11);
        // Sizes around the 4 MiB chunk so that entries start, end and straddle chunk boundaries.
        var files = new[] { 0, 1, 511, 4 << 20, (4 << 20) - 700, 3 << 20, 100_000 }.Select((size, i) =>
        {
            var bytes = new byte[size];
            random.NextBytes(bytes.AsSpan(0, size / 2)); // half random, half zeros: some chunks stored, some deflated
            return (Header: new TarHeader { Name = $"f{i}", Size = size }, Bytes: bytes);
        }).ToList();

        var plain = new MemoryStream();
        using (var tar = new TarWriter(plain, leaveOpen: true))
            foreach (var (header, bytes) in files) tar.WriteEntry(header, new MemoryStream(bytes));

        LayerBlob blob;
        using (var writer = LayerBlobWriter.Create(dir.Combine("blobs"), compression))
        {
            using (var tar = new TarWriter(writer, leaveOpen: true))
                foreach (var (header, bytes) in files) tar.WriteEntry(header, new MemoryStream(bytes));
            blob = writer.Complete();
        }
        Assert.Equal(plain.Length, blob.UncompressedSize);
        Assert.Equal("sha256:" + Convert.ToHexString(SHA256.HashData(plain.ToArray())).ToLowerInvariant(), blob.DiffId.ToString());
        using (var back = new MemoryStream())
        {
            using (var decompressed = Decompression.OpenDecompressed(blob.BlobPath)) decompressed.CopyTo(back);
            Assert.Equal(plain.ToArray(), back.ToArray());
        }

        foreach (var (wrong, name) in new[] { (9, "short"), (11, "long") })
        {
            using var writer = LayerBlobWriter.Create(dir.Combine("blobs"), compression);
            using var tar = new TarWriter(writer, leaveOpen: true);
            var e = Assert.Throws<ContainerSdkException>(() => tar.WriteEntry(new TarHeader { Name = name, Size = 10 }, new MemoryStream(new byte[wrong])));
            Assert.Equal(Codes.FileChangedWhileReading, e.Code);
        }
    }
}
