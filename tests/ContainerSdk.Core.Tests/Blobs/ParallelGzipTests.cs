using ContainerSdk.Core.Tests.Layers;
using System.Security.Cryptography;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Blobs;

/// <summary>A layer bigger than one compression chunk is several gzip members: the readers container tools use must take it.</summary>
public class ParallelGzipTests
{
    [Trait("Category", "EndToEnd")]
    [Fact]
    public void A_multi_member_layer_is_read_by_gzip_skopeo_and_umoci()
    {
        var umoci = Tools.Require("umoci");
        var skopeo = Tools.Require("skopeo");
        using var run = new EngineRun("pgz");
        var rootfs = Tree.Rootfs(run.Dir.Combine("base"));
        var mod = run.Dir.Combine("mod");
        var random = new Random(42);
        var noise = new byte[3 << 20];
        for (int i = 0; i < 4; i++)
        {
            random.NextBytes(noise);
            Directory.CreateDirectory(Path.Combine(mod, "data"));
            File.WriteAllBytes(Path.Combine(mod, "data", $"blob{i}.bin"), noise); // 12 MiB of tar: three or four members
        }
        var (layers, _) = run.Build(new[] { EngineRun.Base(rootfs), EngineRun.Module(mod, "/opt/m") });

        var blob = File.ReadAllBytes(layers[1].BlobPath);
        int members = Enumerable.Range(0, blob.Length - 3).Count(i => blob[i] == 0x1F && blob[i + 1] == 0x8B && blob[i + 2] == 8 && blob[i + 3] == 0 && (i == 0 || IsMemberStart(blob, i)));
        Assert.True(members >= 3, $"expected several gzip members, found {members}");
        // Random data is stored, not deflated: the blob is the tar plus a few bytes per 64 KiB block.
        Assert.True(blob.Length < layers[1].Descriptor.Size + 1 && blob.Length < (12 << 20) * 1.002 + 65536, $"{blob.Length} bytes for 12 MiB of random data");

        Tools.Run("gzip", "-t", layers[1].BlobPath).EnsureSuccess("gzip -t");
        var diffId = Convert.ToHexString(SHA256.HashData(Tools.RunBytes("gzip", "-dc", layers[1].BlobPath))).ToLowerInvariant();
        Assert.Equal(layers[1].DiffId.Hex, diffId);
        Tools.Run(skopeo, "copy", $"oci:{run.Layout}:1.0", $"oci:{run.Dir.Combine("copy")}:1.0").EnsureSuccess("skopeo copy");
        var unpacked = run.Dir.Combine("unpacked");
        Tools.Run(umoci, "unpack", "--image", run.Layout + ":1.0", unpacked).EnsureSuccess("umoci unpack");
        Assert.Equal(noise, File.ReadAllBytes(Path.Combine(unpacked, "rootfs/opt/m/data/blob3.bin")));
    }

    // A member header inside the stream follows the previous member's 8-byte trailer; checking the flags and OS bytes
    // (0 and 3, as the writer normalizes them) rules out the pattern occurring by chance in compressed data.
    private static bool IsMemberStart(byte[] b, int i) => i + 9 < b.Length && b[i + 4] == 0 && b[i + 5] == 0 && b[i + 6] == 0 && b[i + 7] == 0 && b[i + 9] == 3;

    /// <summary>An output that fails once it has taken a few bytes, as a full disk does.</summary>
    private sealed class FailingOutput : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Length > 1 << 20) throw new IOException("No space left on device");
            base.Write(buffer);
        }
    }

    [Trait("Category", "EndToEnd")] // slow, no tool: two streams of (2 x cores + 4) 4 MiB chunks of random bytes (~4 s on 2 cores)
    [Fact]
    public async Task A_failing_output_fails_the_stream_and_every_slot_is_given_back()
    {
        var chunk = new byte[ContainerSdk.Core.Blobs.ParallelGzipStream.ChunkSize];
        new Random(3).NextBytes(chunk); // stored: the members are as large as the chunks
        // More chunks than there are slots for the whole process (two per core): a slot kept by the failed stream
        // would leave the next stream waiting for ever.
        int chunks = Environment.ProcessorCount * 2 + 4;
        var failed = Assert.ThrowsAny<IOException>(() =>
        {
            using var gzip = new ContainerSdk.Core.Blobs.ParallelGzipStream(new FailingOutput());
            for (int i = 0; i < chunks; i++) gzip.Write(chunk);
            gzip.Finish();
        });
        Assert.Contains("No space", failed.Message);

        var output = new MemoryStream();
        var cancel = TestContext.Current.CancellationToken;
        var next = Task.Run(() =>
        {
            using var gzip = new ContainerSdk.Core.Blobs.ParallelGzipStream(output);
            for (int i = 0; i < chunks; i++) gzip.Write(chunk);
            gzip.Finish();
        }, cancel);
        Assert.True(await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(60), cancel)) == next, "the next stream did not get its slots");
        await next;
        Assert.True(output.Length > (long)chunks * chunk.Length);
    }
}
