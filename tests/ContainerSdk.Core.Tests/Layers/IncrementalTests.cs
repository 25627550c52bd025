using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Tests.Cache;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Tests;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Blobs;

namespace ContainerSdk.Core.Tests.Layers;

/// <summary>Issue 4: content decides what is rebuilt; caches are trusted only while they are intact.</summary>
public class IncrementalTests
{
    private static (EngineRun Run, LayerInput[] Inputs) Site()
    {
        var run = new EngineRun("inc");
        var rootfs = Tree.Rootfs(run.Dir.Combine("base"));
        var inputs = new List<LayerInput> { EngineRun.Base(rootfs) };
        foreach (var name in new[] { "a", "b", "c" })
        {
            var mod = run.Dir.Combine(name);
            for (int i = 0; i < 40; i++) Tree.File(mod, $"d{i % 4}/f{i}.txt", $"{name} file {i} " + new string((char)('a' + i % 26), 2000 + i));
            inputs.Add(EngineRun.Module(mod, "/opt/" + name));
        }
        return (run, inputs.ToArray());
    }

    private static Dictionary<string, DateTime> Stamps(string directory) =>
        !Directory.Exists(directory) ? new() : Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);

    [Fact]
    public void A_build_with_nothing_changed_rebuilds_no_layer_and_rewrites_no_blob()
    {
        var (run, inputs) = Site();
        using var _ = run;
        var first = run.Layers(inputs, bundle: true);
        var blobs = Stamps(Path.Combine(run.Work, "blobs"));
        var bundleTime = File.GetLastWriteTimeUtc(run.Bundle);
        run.Log.Infos.Clear();

        var second = run.Layers(inputs, bundle: true);

        Assert.Equal(first.Select(l => l.Descriptor.Digest), second.Select(l => l.Descriptor.Digest));
        Assert.Equal(4, run.Log.Infos.Count(l => l.Contains(": unchanged (sha256:")));
        Assert.Contains(run.Log.Infos, l => l.StartsWith("Bundle ") && l.Contains("unchanged"));
        Assert.Equal(blobs, Stamps(Path.Combine(run.Work, "blobs")));
        Assert.Equal(bundleTime, File.GetLastWriteTimeUtc(run.Bundle));
    }

    [Fact]
    public void The_build_after_the_image_step_trusts_the_blobs_it_linked_without_reading_them()
    {
        // The image step hard-links each layer blob into the layout, which moves the blob's ctime: the layer cache
        // must not take that for a change (it read and hashed every blob again, 3.8 s per GiB, on the next build).
        var (run, inputs) = Site();
        using var _ = run;
        var (layers, _) = run.Build(inputs);
        var records = Stamps(Path.Combine(run.Work, "cache", "selectors")).Concat(Stamps(Path.Combine(run.Work, "cache", "stamps"))).ToList();
        run.Log.Infos.Clear();

        run.Build(inputs);

        Assert.Equal(4, run.Log.Infos.Count(l => l.Contains(": unchanged (sha256:")));
        Assert.DoesNotContain(run.Log.Infos, l => l.Contains("read again"));
        // A blob hashed again is recorded again: nothing was.
        Assert.Equal(records, Stamps(Path.Combine(run.Work, "cache", "selectors")).Concat(Stamps(Path.Combine(run.Work, "cache", "stamps"))).ToList());

        // Through the layout's name, anything but this build's own link is a change only the digest can clear.
        var layoutBlob = Path.Combine(run.Layout, "blobs", "sha256", layers[2].Descriptor.Digest.Hex);
        File.SetUnixFileMode(layoutBlob, File.GetUnixFileMode(layoutBlob) | UnixFileMode.OtherWrite);
        run.Log.Infos.Clear();
        run.Build(inputs);
        Assert.Single(run.Log.Infos, l => l.Contains(": unchanged (sha256:") && l.Contains("its blob read again"));
        run.Log.Infos.Clear();
        run.Build(inputs);
        Assert.DoesNotContain(run.Log.Infos, l => l.Contains("read again"));
    }

    [Fact]
    public void A_change_undone_takes_the_earlier_layer_from_the_cache_without_reading_it()
    {
        // The layout's garbage collection removes its name of the replaced layer, which moves the cached blob's ctime.
        var (run, inputs) = Site();
        using var _ = run;
        var file = run.Dir.Combine("b", "d1", "f1.txt");
        var original = File.ReadAllText(file);
        var (first, _) = run.Build(inputs);
        File.AppendAllText(file, "changed");
        run.Build(inputs);
        Assert.False(File.Exists(Path.Combine(run.Layout, "blobs", "sha256", first[2].Descriptor.Digest.Hex)));
        File.WriteAllText(file, original);
        run.Log.Infos.Clear();

        var (undone, _) = run.Build(inputs);

        Assert.Equal(first.Select(l => l.Descriptor.Digest), undone.Select(l => l.Descriptor.Digest));
        Assert.Equal(4, run.Log.Infos.Count(l => l.Contains(": unchanged (sha256:")));
        Assert.DoesNotContain(run.Log.Infos, l => l.Contains("read again"));
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void An_xattr_or_acl_set_on_an_unchanged_file_after_a_build_reaches_its_layer()
    {
        // The stat walk reuses each path's xattrs while its lstat identity holds; setting one moves the ctime. The
        // tree must be older than the stat cache's racy window, or nothing would be reused and this could not fail:
        // the stat cache's clock runs past the window instead of the test waiting it out.
        var (run, inputs) = Site();
        using var _ = run;
        var later = new ClockAhead(TimeSpan.FromSeconds(2.2));
        var first = run.Layers(inputs, clock: later);
        var second = run.Layers(inputs, clock: later);
        // Recorded, not racy: a just-written file is vouched for by the clock past the window.
        var unchanged = run.Dir.Combine("b", "d1", "f1.txt");
        Assert.True(StatCache.Load(new WorkPaths(run.Work).StatCache).TryGet(unchanged, FileIdentity.Of(unchanged)!.Value, out var _));
        Assert.Equal(first.Select(l => l.Descriptor.Digest), second.Select(l => l.Descriptor.Digest));

        Tools.Run(Tools.Require("setfattr"), "-n", "user.origin", "-v", "site", run.Dir.Combine("b", "d1", "f1.txt")).EnsureSuccess("setfattr");
        Tools.Run(Tools.Require("setfacl"), "-m", "u:4343:r--", run.Dir.Combine("c", "d2")).EnsureSuccess("setfacl");
        var third = run.Layers(inputs, clock: later);

        var changed = Enumerable.Range(0, 4).Where(i => second[i].Descriptor.Digest != third[i].Descriptor.Digest).ToArray();
        Assert.Equal(new[] { 2, 3 }, changed);
        Assert.Contains(PaxKeysOf(third[2].BlobPath), k => k == "SCHILY.xattr.user.origin");
        Assert.Contains(PaxKeysOf(third[3].BlobPath), k => k.StartsWith("SCHILY.acl.access", StringComparison.Ordinal));
    }

    /// <summary>The PAX record keys of a gzip layer's tar (GNU tar lists no xattr names; .NET's reader rejects binary ACL values).</summary>
    private static List<string> PaxKeysOf(string blob)
    {
        using var stream = new System.IO.Compression.GZipStream(File.OpenRead(blob), System.IO.Compression.CompressionMode.Decompress);
        using var tar = new MemoryStream();
        stream.CopyTo(tar);
        // A PAX record is "<length> <key>=<value>\n"; keys of interest are ASCII.
        return System.Text.RegularExpressions.Regex.Matches(System.Text.Encoding.Latin1.GetString(tar.ToArray()), @"\d+ (SCHILY\.[\w.]+)=")
            .Select(m => m.Groups[1].Value).ToList();
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void One_module_changed_rebuilds_its_layer_alone_and_reuses_the_other_bundle_segments()
    {
        var (run, inputs) = Site();
        using var _ = run;
        var first = run.Layers(inputs, bundle: true);
        File.AppendAllText(run.Dir.Combine("b", "d1", "f1.txt"), "changed");
        run.Log.Infos.Clear();

        var second = run.Layers(inputs, bundle: true);

        var changed = Enumerable.Range(0, 4).Where(i => first[i].Descriptor.Digest != second[i].Descriptor.Digest).ToArray();
        Assert.Equal(new[] { 2 }, changed);
        Assert.Single(run.Log.Infos, l => l.Contains(": built "));
        var bundleLine = Assert.Single(run.Log.Infos, l => l.StartsWith("Bundle "));
        Assert.Matches(@"\d+ of \d+ segments reused", bundleLine);
        Assert.Contains("changed", Tools.Run("tar", "-xzOf", run.Bundle, "opt/b/d1/f1.txt").EnsureSuccess("tar -xO").StdOut);
        Tools.Run("gzip", "-t", run.Bundle).EnsureSuccess("gzip -t of a multi-member bundle");
    }

    [Fact]
    public void A_file_touched_without_a_content_change_rebuilds_nothing()
    {
        var (run, inputs) = Site();
        using var _ = run;
        var first = run.Layers(inputs);
        File.SetLastWriteTimeUtc(run.Dir.Combine("a", "d0", "f0.txt"), DateTime.UtcNow.AddMinutes(-10));
        run.Log.Infos.Clear();

        var second = run.Layers(inputs);

        Assert.Equal(first.Select(l => l.Descriptor.Digest), second.Select(l => l.Descriptor.Digest));
        Assert.DoesNotContain(run.Log.Infos, l => l.Contains(": built "));
    }

    [Fact]
    public void A_cached_blob_corrupted_on_disk_is_detected_and_rebuilt()
    {
        var (run, inputs) = Site();
        using var _ = run;
        var first = run.Layers(inputs);
        var victim = first[1].BlobPath;
        var bytes = File.ReadAllBytes(victim);
        bytes[bytes.Length / 2] ^= 0xFF; // same size: only the digest can tell
        File.WriteAllBytes(victim, bytes);
        run.Log.Infos.Clear();

        var second = run.Layers(inputs);

        Assert.Equal(first[1].Descriptor.Digest, second[1].Descriptor.Digest);
        Assert.Contains(run.Log.Warnings, w => w.Code == Codes.CacheEntryRebuilt && w.Message.Contains("corrupt"));
        Assert.Equal(first[1].Descriptor.Digest.Hex, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(second[1].BlobPath))).ToLowerInvariant());

        File.WriteAllBytes(second[2].BlobPath, File.ReadAllBytes(second[2].BlobPath)[..100]); // truncated
        var third = run.Layers(inputs);
        Assert.Equal(first[2].Descriptor.Digest, third[2].Descriptor.Digest);
        Assert.Contains(run.Log.Warnings, w => w.Code == Codes.CacheEntryRebuilt && w.Message.Contains("wrong size"));
    }

    [Fact]
    public void Changed_settings_rebuild_the_layers_they_change()
    {
        var (run, inputs) = Site();
        using var _ = run;
        var first = run.Layers(inputs, epoch: 0);
        var otherEpoch = run.Layers(inputs, epoch: 86400);
        Assert.All(Enumerable.Range(0, 4), i => Assert.NotEqual(first[i].Descriptor.Digest, otherEpoch[i].Descriptor.Digest));

        var zstd = run.Layers(inputs, epoch: 0, compression: LayerCompression.Zstd);
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal(first[i].DiffId, zstd[i].DiffId));
        Assert.All(Enumerable.Range(0, 4), i => Assert.NotEqual(first[i].Descriptor.Digest, zstd[i].Descriptor.Digest));

        var moved = inputs.ToArray();
        moved[3] = moved[3] with { TargetPath = "/opt/c2" };
        var third = run.Layers(moved, epoch: 0);
        Assert.Equal(first.Take(3).Select(l => l.Descriptor.Digest), third.Take(3).Select(l => l.Descriptor.Digest));
        Assert.NotEqual(first[3].Descriptor.Digest, third[3].Descriptor.Digest);
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void The_segmented_bundle_holds_the_same_tree_as_the_layers_applied_in_order()
    {
        var (run, inputs) = Site();
        using var _ = run;
        var layers = run.Layers(inputs, bundle: true);
        var fromLayers = run.Dir.Combine("applied");
        Directory.CreateDirectory(fromLayers);
        foreach (var layer in layers)
            Tools.Run("tar", "--numeric-owner", "-xpzf", layer.BlobPath, "-C", fromLayers).EnsureSuccess("apply layer");
        var fromBundle = run.Dir.Combine("bundle");
        Directory.CreateDirectory(fromBundle);
        Tools.Run("tar", "--numeric-owner", "-xpzf", run.Bundle, "-C", fromBundle).EnsureSuccess("extract bundle");
        var diff = Tools.Run("diff", "-r", "--no-dereference", fromLayers, fromBundle);
        Assert.True(diff.ExitCode == 0, diff.StdOut + diff.StdErr);
        var py = Tools.Run(Tools.Require("python3"), "-c", $"import tarfile; print(len(tarfile.open('{run.Bundle}').getnames()))").EnsureSuccess("python tarfile");
        Assert.True(int.Parse(py.StdOut.Trim()) > 120);
    }
}
