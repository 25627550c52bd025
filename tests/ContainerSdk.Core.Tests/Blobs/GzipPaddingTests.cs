using System.IO.Compression;
using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Tests.Layers;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Blobs;

/// <summary>
/// The empty members that align a layer's segments to 4 KiB blocks: every reader takes a stream padded with them as the
/// one stream, and a layer's segments start and end on block boundaries (what lets XFS share their extents).
/// </summary>
public sealed class GzipPaddingTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(4096, 0)]
    [InlineData(1, 4095)]
    [InlineData(4090, 4102)] // 6 bytes are too few for a member: a whole block more
    [InlineData(4070, 26)]
    [InlineData(8193, 4095)]
    public void The_padding_reaches_the_next_block_boundary(long offset, int expected)
    {
        Assert.Equal(expected, GzipPadding.LengthAt(offset));
        Assert.Equal(0, (offset + expected) % GzipPadding.Alignment);
    }

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(System.Text.Encoding.UTF8.GetBytes(text));
        return buffer.ToArray();
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void A_stream_padded_with_empty_members_is_one_stream_to_GNU_gzip_zcat_python_and_dotnet()
    {
        using var dir = new TempDir("pad");
        var padded = Gzip("first\n").Concat(GzipPadding.Member(GzipPadding.MinLength)).Concat(Gzip("second\n"))
            .Concat(GzipPadding.Member(4121)).Concat(Gzip("third\n")).ToArray();
        var file = dir.Combine("padded.gz");
        File.WriteAllBytes(file, padded);

        Tools.Run(Tools.Require("gzip"), "-t", file).EnsureSuccess("gzip -t");
        Assert.Equal("first\nsecond\nthird\n", Tools.Run(Tools.Require("zcat"), file).EnsureSuccess("zcat").StdOut);
        Assert.Equal("first\nsecond\nthird\n", Tools.Run(Tools.Require("python3"), "-c", "import gzip,sys; sys.stdout.write(gzip.open(sys.argv[1]).read().decode())", file).EnsureSuccess("python3 gzip").StdOut);
        using var reader = new StreamReader(new GZipStream(new MemoryStream(padded), CompressionMode.Decompress));
        Assert.Equal("first\nsecond\nthird\n", reader.ReadToEnd());
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Every_segment_of_a_layer_and_every_cached_bundle_segment_is_whole_blocks()
    {
        using var run = new EngineRun("pad");
        var mod = run.Dir.Combine("mod");
        var random = new Random(5);
        var bytes = new byte[1 << 20];
        for (int i = 0; i < 20; i++)
        {
            random.NextBytes(bytes);
            File.WriteAllBytes(Tree.File(mod, $"data/f{i:D2}.bin", ""), bytes);
            Tree.File(mod, $"doc/f{i:D2}.txt", $"text {i}\n");
        }
        var (layers, _) = run.Build(new[] { EngineRun.Base(Tree.Rootfs(run.Dir.Combine("base"))), EngineRun.Module(mod, "/opt/m") });

        var segments = LayerSegments.Load(Path.Combine(run.Work, "cache", "segments"), layers[1].BlobPath)!.Values.ToList();
        Assert.True(segments.Count >= 2, $"{segments.Count} segments");
        Assert.All(segments, s => Assert.Equal((0L, 0L), (s.Offset % 4096, s.Length % 4096)));
        Assert.All(Directory.EnumerateFiles(Path.Combine(run.Work, "bundle"), "*.gz"), f => Assert.Equal(0, new FileInfo(f).Length % 4096));
        Tools.Run("gzip", "-t", layers[1].BlobPath).EnsureSuccess("gzip -t");
        Tools.Run("gzip", "-t", run.Bundle).EnsureSuccess("gzip -t bundle");
    }
}
