using System.Text;
using System.Text.RegularExpressions;
using ContainerSdk.Core.Layers;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Layers;

/// <summary>
/// Issue 12: one changed file costs its segment, not its module. A layer written again copies every segment its last
/// blob holds unchanged, and the result is byte for byte what a cold build of the same tree gives.
/// </summary>
[Trait("Category", "EndToEnd")] // slow: each test builds a 12 MiB module two or three times (1.7-3.4 s)
public class SegmentReuseTests
{
    private const int Files = 200;

    /// <summary>A module of ~12 MiB of text in 64 KiB files: several bundle segments (1-16 MiB each).</summary>
    private static string Module(TempDir dir)
    {
        var root = dir.Combine("suite");
        var random = new Random(12);
        var words = new[] { "module", "load", "mpi", "export", "prefix", "lib", "include", "setenv", "path", "site" };
        for (int i = 0; i < Files; i++)
        {
            var text = new StringBuilder();
            while (text.Length < 64 << 10) text.Append(words[random.Next(words.Length)]).Append(random.Next(1000)).Append(i % 7 == 0 ? '\n' : ' ');
            Tree.File(root, $"share/d{i % 8}/f{i:000}.txt", text.ToString());
        }
        return root;
    }

    private static (int Copied, int Total) Copies(RecordingLog log)
    {
        var line = Assert.Single(log.Infos, l => l.Contains("Module suite") && l.Contains(": built "));
        var match = Regex.Match(line, @"(\d+) of (\d+) segments copied from its last blob");
        return match.Success ? (int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value)) : (0, 0);
    }

    private static BuiltLayer ColdBuild(string module)
    {
        using var cold = new EngineRun("reuse-cold");
        return cold.Layers(new[] { EngineRun.Module(module, "/opt/suite") })[^1];
    }

    [Fact]
    public void One_changed_file_copies_every_other_segment_and_gives_the_cold_builds_bytes()
    {
        using var run = new EngineRun("reuse");
        var module = Module(run.Dir);
        var inputs = new[] { EngineRun.Module(module, "/opt/suite") };
        var first = run.Layers(inputs, bundle: true)[^1];
        Assert.Equal((0, 0), Copies(run.Log)); // a first build has nothing to copy from

        // A longer file in the middle of the tree: every later byte moves, the segments after it do not change.
        Tree.File(module, "share/d3/f123.txt", "changed\n" + File.ReadAllText(Path.Combine(module, "share/d3/f123.txt")));
        run.Log.Infos.Clear();
        var second = run.Layers(inputs, bundle: true)[^1];

        var (copied, total) = Copies(run.Log);
        Assert.True(total >= 4, $"the module makes {total} segments; the test needs several");
        Assert.InRange(copied, total - 2, total - 1);
        Assert.NotEqual(first.Descriptor.Digest, second.Descriptor.Digest);

        using var cold = new EngineRun("reuse-cold");
        var fromScratch = cold.Layers(inputs, bundle: true)[^1];
        Assert.Equal(fromScratch.Descriptor, second.Descriptor);
        Assert.Equal(fromScratch.DiffId, second.DiffId);
        // The bundle copies its segments out of the new blob by the index the copy recorded.
        Assert.Equal(File.ReadAllBytes(cold.Bundle), File.ReadAllBytes(run.Bundle));
        Tools.Require("tar");
        Assert.Contains("share/d3/f123.txt", Tools.Run("tar", "-tzf", second.BlobPath).StdOut);
        // The new blob's segment index, copies included (their digests taken from the last blob's index, which its
        // stamp vouched for), names the bytes each segment has in it.
        var blob = File.ReadAllBytes(second.BlobPath);
        foreach (var line in File.ReadAllLines(Path.Combine(run.Work, "cache", "segments", second.Descriptor.Digest.Hex)).Skip(1))
        {
            var f = line.Split(' ');
            var bytes = blob.AsSpan(int.Parse(f[1]), int.Parse(f[2]));
            Assert.Equal(f[3], Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes)).ToLowerInvariant());
        }
    }

    /// <summary>
    /// Builds the module, lets <paramref name="damage"/> spoil what the next build would copy from, changes
    /// <paramref name="changedFile"/> and builds again: nothing may be copied, and the layer is the cold build's.
    /// </summary>
    private static void RebuildsInFullAfter(Action<EngineRun, BuiltLayer> damage, string changedFile)
    {
        using var run = new EngineRun("reuse");
        var module = Module(run.Dir);
        var inputs = new[] { EngineRun.Module(module, "/opt/suite") };
        var first = run.Layers(inputs)[^1];
        damage(run, first);
        Tree.File(module, changedFile, "changed");
        run.Log.Infos.Clear();

        var second = run.Layers(inputs)[^1];

        Assert.Equal((0, 0), Copies(run.Log));
        Assert.Equal(ColdBuild(module).Descriptor, second.Descriptor);
        Assert.Empty(run.Log.Warnings);
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(second.BlobPath)!, ContainerSdk.Core.IO.TempFiles.Prefix + "*"));
    }

    [Fact]
    public void A_last_blob_whose_bytes_changed_is_not_copied_from() =>
        // The first segment's compressed bytes damaged: inflating them for the diffID fails (gzip's CRC).
        RebuildsInFullAfter((_, first) =>
        {
            using var blob = new FileStream(first.BlobPath, FileMode.Open, FileAccess.ReadWrite);
            blob.Position = 4096;
            int b = blob.ReadByte();
            blob.Position = 4096;
            blob.WriteByte((byte)(b ^ 0x55));
        }, "share/d7/f199.txt");

    [Fact]
    public void A_segment_index_that_names_other_bytes_is_caught_as_the_copy_is_written() =>
        // The blob is intact (it inflates cleanly) but its index claims other bytes for the first segment, and the blob
        // was touched since its bytes were last checked (its ctime moved), so they are hashed as they are copied: only
        // that SHA-256 can tell, after the copy is already in the new blob.
        RebuildsInFullAfter((run, first) =>
        {
            var index = Path.Combine(run.Work, "cache", "segments", first.Descriptor.Digest.Hex);
            var lines = File.ReadAllLines(index);
            var fields = lines[1].Split(' ');
            lines[1] = string.Join(' ', fields[0], fields[1], fields[2], new string('0', 64));
            File.WriteAllLines(index, lines);
            File.SetUnixFileMode(first.BlobPath, File.GetUnixFileMode(first.BlobPath) | UnixFileMode.GroupWrite);
        }, "share/d7/f199.txt");

    [Fact]
    public void A_last_blob_that_is_gone_means_a_full_write() =>
        RebuildsInFullAfter((_, first) => File.Delete(first.BlobPath), "share/d0/f000.txt");
}
