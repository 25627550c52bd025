using System.Security.Cryptography;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Tests.Layers;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Cache;

/// <summary>
/// The cache and the outputs damaged between builds (disk errors, a stray edit, a half-copied folder): the next
/// build must notice by size or digest, rebuild what is damaged, and give the bytes of an undamaged build.
/// </summary>
[Trait("Category", "EndToEnd")] // slow, no tool: each test builds ~2 MiB of random bytes two or three times (1-2.5 s)
public class CacheCorruptionTests
{
    private sealed class Project : IDisposable
    {
        public EngineRun Run { get; } = new("cache");
        public string Base { get; }
        public string Module { get; }

        public Project()
        {
            Base = Tree.Rootfs(Run.Dir.Combine("base"));
            Module = Run.Dir.Combine("mod");
            var random = new Random(3);
            for (int i = 0; i < 6; i++)
            {
                var data = new byte[300_000];
                random.NextBytes(data);
                Directory.CreateDirectory(Path.Combine(Module, "d" + i));
                File.WriteAllBytes(Path.Combine(Module, "d" + i, "f.bin"), data);
            }
        }

        public string Build() => Run.Build(new[] { EngineRun.Base(Base), EngineRun.Module(Module, "/opt/mod") }).Image.ManifestDigest.ToString();

        public string ModuleBlob(string digest) => Path.Combine(Run.Work, "blobs", "sha256", ModuleLayerDigest(digest));

        public string LayoutBlob(string digest) => Path.Combine(Run.Layout, "blobs", "sha256", ModuleLayerDigest(digest));

        private string ModuleLayerDigest(string manifestDigest)
        {
            var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Run.Layout, "blobs", "sha256", manifestDigest["sha256:".Length..])));
            return manifest.RootElement.GetProperty("layers")[1].GetProperty("digest").GetString()!["sha256:".Length..];
        }

        /// <summary>Same manifest, every layout blob matching its name, the bundle as a fresh build writes it.</summary>
        public void AssertIntact(string expectedDigest)
        {
            foreach (var blob in Directory.EnumerateFiles(Path.Combine(Run.Layout, "blobs", "sha256")))
                Assert.Equal(Path.GetFileName(blob), Hash(blob));
            using var fresh = new EngineRun("fresh");
            var digest = fresh.Build(new[] { EngineRun.Base(Base), EngineRun.Module(Module, "/opt/mod") }).Image.ManifestDigest.ToString();
            Assert.Equal(expectedDigest, digest);
            Assert.Equal(Hash(fresh.Bundle), Hash(Run.Bundle));
        }

        public void Dispose() => Run.Dispose();
    }

    private static string Hash(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file))).ToLowerInvariant();

    private static void FlipByte(string file, long at)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = at;
        int b = stream.ReadByte();
        stream.Position = at;
        stream.WriteByte((byte)(b ^ 0x40));
    }

    [Fact]
    public void Truncated_cached_blob_is_rebuilt()
    {
        using var p = new Project();
        var digest = p.Build();
        var blob = p.ModuleBlob(digest);
        using (var s = new FileStream(blob, FileMode.Open)) s.SetLength(s.Length / 2);
        Assert.Equal(digest, p.Build());
        Assert.Contains(p.Run.Log.Warnings, w => w.Code == Codes.CacheEntryRebuilt && w.Message.Contains("wrong size"));
        Assert.Equal(Path.GetFileName(blob), Hash(blob));
        p.AssertIntact(digest);
    }

    [Fact]
    public void Cached_blob_with_a_flipped_byte_is_rebuilt_and_the_layout_repaired()
    {
        using var p = new Project();
        var digest = p.Build();
        var blob = p.ModuleBlob(digest);
        FlipByte(blob, new FileInfo(blob).Length / 2);
        Assert.Equal(digest, p.Build());
        Assert.Contains(p.Run.Log.Warnings, w => w.Code == Codes.CacheEntryRebuilt && w.Message.Contains("corrupt"));
        Assert.Equal(Path.GetFileName(blob), Hash(blob));
        Assert.Equal(Path.GetFileName(blob), Hash(p.LayoutBlob(digest)));
        p.AssertIntact(digest);
    }

    [Fact]
    public void Layout_blob_with_a_flipped_byte_is_repaired()
    {
        using var p = new Project();
        var digest = p.Build();
        var blob = p.LayoutBlob(digest);
        FlipByte(blob, 100);
        Assert.Equal(digest, p.Build());
        Assert.Equal(Path.GetFileName(blob), Hash(blob));
        p.AssertIntact(digest);
    }

    [Fact]
    public void Deleted_selectors_rebuild_the_same_layers()
    {
        using var p = new Project();
        var digest = p.Build();
        Directory.Delete(Path.Combine(p.Run.Work, "cache", "selectors"), recursive: true);
        Assert.Equal(digest, p.Build());
        p.AssertIntact(digest);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    [InlineData("empty")]
    public void Corrupt_stat_cache_is_ignored(string damage)
    {
        using var p = new Project();
        var digest = p.Build();
        var stat = Path.Combine(p.Run.Work, "cache", "statcache.bin");
        var bytes = File.ReadAllBytes(stat);
        File.WriteAllBytes(stat, damage switch
        {
            "garbage" => bytes.Select((b, i) => (byte)(b ^ (i * 37))).ToArray(),
            "truncated" => bytes[..(bytes.Length / 2)],
            _ => Array.Empty<byte>(),
        });
        Assert.Equal(digest, p.Build());
        p.AssertIntact(digest);
    }

    [Fact]
    public void Stat_cache_claiming_wrong_hashes_for_unchanged_files_is_not_blindly_trusted_after_a_content_change()
    {
        using var p = new Project();
        var digest = p.Build();
        // Same size, same mtime: only the content differs (a racy edit the stat cache could miss). Restoring the
        // mtime leaves the ctime moved, which the stat cache must notice.
        var file = Path.Combine(p.Module, "d2", "f.bin");
        var mtime = File.GetLastWriteTimeUtc(file);
        FlipByte(file, 10);
        File.SetLastWriteTimeUtc(file, mtime);
        var changed = p.Build();
        Assert.NotEqual(digest, changed);
        p.AssertIntact(changed);
    }

    [Fact]
    public void Bundle_segment_with_a_flipped_byte_is_not_copied_into_the_bundle()
    {
        using var p = new Project();
        // Segments end at content-defined points after 4 MiB: thousands of small files make several.
        var random = new Random(5);
        for (int i = 0; i < 5000; i++)
        {
            var data = new byte[2048];
            random.NextBytes(data);
            File.WriteAllBytes(Path.Combine(p.Module, "d" + (i % 6), $"small{i:D4}"), data);
        }
        p.Build();
        Assert.True(Directory.EnumerateFiles(Path.Combine(p.Run.Work, "bundle"), "*.gz").Count() >= 2, "the bundle has a single segment");
        foreach (var segment in Directory.EnumerateFiles(Path.Combine(p.Run.Work, "bundle"), "*.gz"))
            FlipByte(segment, new FileInfo(segment).Length / 2);
        // A change elsewhere makes the bundle be written again from its segments.
        File.WriteAllText(Path.Combine(p.Base, "etc", "motd"), "changed\n");
        var digest = p.Build();
        Assert.Contains(p.Run.Log.Warnings, w => w.Code == Codes.CacheEntryRebuilt && w.Message.Contains("bundle segment"));
        p.AssertIntact(digest);
        Tools.Run("gzip", "-t", p.Run.Bundle).EnsureSuccess("gzip -t");
    }

    [Fact]
    public void Damaged_bundle_output_is_written_again()
    {
        using var p = new Project();
        var digest = p.Build();
        FlipByte(p.Run.Bundle, 1000);
        p.Build();
        p.AssertIntact(digest);
    }
}
