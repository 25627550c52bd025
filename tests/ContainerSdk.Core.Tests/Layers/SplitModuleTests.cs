using System.IO.Compression;
using System.Text;
using System.Text.Json;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Tar;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Layers;

/// <summary>
/// Issue 22: a module larger than ContainerLayerSplitSize is built as several layers whose flattened tree, bundle and ACL
/// dump are the unsplit module's, ACLs landing once; a one-file change rebuilds one or two parts.
/// </summary>
public sealed class SplitModuleTests
{
    private const long SplitSize = 512 << 10;

    /// <summary>A module of about 2.5 MiB: 320 files of 8 KiB in 8 folders, plus a hard link.</summary>
    private static string Module(TempDir dir)
    {
        var root = dir.Combine("suite");
        var random = new Random(22);
        for (int i = 0; i < 320; i++)
        {
            var text = new StringBuilder();
            while (text.Length < 8 << 10) text.Append(random.Next()).Append(i % 5 == 0 ? '\n' : ' ');
            Tree.File(root, $"share/d{i % 8}/f{i:000}.txt", text.ToString());
        }
        Tree.HardLink(Path.Combine(root, "share/d2/f002.txt"), Path.Combine(root, "share/zz-linked.txt"));
        return root;
    }

    /// <summary>ACLs on every folder (folders are in several parts) and on every seventh file.</summary>
    private static string AclDump(TempDir dir)
    {
        var dump = new StringBuilder();
        foreach (var folder in new[] { "opt/suite", "opt/suite/share" }.Concat(Enumerable.Range(0, 8).Select(d => $"opt/suite/share/d{d}")))
            dump.Append($"# file: {folder}\nuser::rwx\ngroup::r-x\ngroup:1234:r-x\nmask::r-x\nother::r-x\ndefault:user::rwx\ndefault:group::r-x\ndefault:other::---\n\n");
        for (int i = 0; i < 320; i += 7)
            dump.Append($"# file: opt/suite/share/d{i % 8}/f{i:000}.txt\nuser::rw-\ngroup::r--\nuser:4321:rw-\nmask::rw-\nother::---\n\n");
        return Tree.File(dir.Path, "site.acl", dump.ToString());
    }

    private static List<TarHeader> Headers(string blob)
    {
        using var file = File.OpenRead(blob);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new TarReader(gzip, blob);
        var headers = new List<TarHeader>();
        while (reader.Next() is { } header) headers.Add(header);
        return headers;
    }

    [Fact]
    public void A_split_module_flattens_to_the_unsplit_bundle_and_acl_dump_with_each_acl_landing_once()
    {
        using var whole = new EngineRun("split-whole");
        using var split = new EngineRun("split-parts");
        var module = Module(whole.Dir);
        var acl = AclDump(whole.Dir);
        var inputs = new[] { EngineRun.Module(module, "/opt/suite") with { Remove = new[] { "/opt/old" } } };
        var aclFiles = new[] { new AclFileInput(acl) };

        var one = whole.Layers(inputs, aclFiles: aclFiles, bundle: true, splitSize: 0);
        var parts = split.Layers(inputs, aclFiles: aclFiles, bundle: true, splitSize: SplitSize);

        Assert.Single(one);
        Assert.InRange(parts.Count, 3, 20);
        Assert.Equal(File.ReadAllBytes(whole.Bundle), File.ReadAllBytes(split.Bundle));
        Assert.Equal(File.ReadAllBytes(whole.BundleAcl), File.ReadAllBytes(split.BundleAcl));
        Assert.Equal(Enumerable.Range(1, parts.Count), parts.Select(p => p.Part));
        Assert.All(parts, (p, i) => Assert.EndsWith($"(part {i + 1}/{parts.Count})", p.CreatedBy));
        Assert.All(split.Log.Infos.Where(l => l.StartsWith("Layer ")), l => Assert.Contains("(part ", l));

        var headers = parts.Select(p => Headers(p.BlobPath)).ToList();
        // The whiteout is in the first part only.
        Assert.Equal(new[] { 0 }, headers.Select((h, i) => (h, i)).Where(x => x.h.Any(e => e.Name.EndsWith(".wh.old"))).Select(x => x.i));
        // Every file is in one part, with its ACL once; every folder a part needs is in it, with the same header.
        var files = headers.SelectMany(h => h).Where(e => e.Type is TarEntryType.Regular or TarEntryType.HardLink && !e.Name.Contains(".wh.")).ToList();
        Assert.Equal(files.Count, files.Select(f => f.Name).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 320).Count(i => i % 7 == 0), files.Count(f => f.PaxRecordsRead.ContainsKey("SCHILY.acl.access")));
        foreach (var part in headers)
        {
            var names = part.Select(e => TarPath.Key(e.Name)).ToHashSet();
            foreach (var entry in part)
                for (string? p = TarPath.Parent(TarPath.Key(entry.Name)); p is { Length: > 0 }; p = TarPath.Parent(p))
                    Assert.Contains(p, names);
            foreach (var folder in part.Where(e => e.Type == TarEntryType.Directory && e.Name.StartsWith("opt/suite")))
                Assert.True(folder.PaxRecordsRead.ContainsKey("SCHILY.acl.default"), $"{folder.Name} lost its ACL in a part");
        }
        // A hard link is in its target's part.
        var link = headers.Single(h => h.Any(e => e.Name.EndsWith("zz-linked.txt")));
        Assert.Contains(link, h => h.Name.EndsWith("d2/f002.txt"));
    }

    [Fact]
    public void One_changed_file_rebuilds_one_or_two_parts_and_the_history_and_labels_name_every_part()
    {
        using var run = new EngineRun("split-change");
        var module = Module(run.Dir);
        var inputs = new[] { EngineRun.Module(module, "/opt/suite") with { Version = "12" } };
        var first = run.Layers(inputs, splitSize: SplitSize);

        Tree.File(module, "share/d5/f101.txt", "changed\n" + File.ReadAllText(Path.Combine(module, "share/d5/f101.txt")));
        var second = run.Layers(inputs, splitSize: SplitSize);
        int rebuilt = second.Count(l => l.Origin == LayerOrigin.Built);
        Assert.InRange(rebuilt, 1, 2);
        Assert.InRange(second.Select(l => l.Descriptor.Digest).Except(first.Select(l => l.Descriptor.Digest)).Count(), 1, 2);

        var image = Core.Engine.ContainerEngine.WriteImage(second, new ImageSettings { Repository = "site", Tags = new[] { "1.0" } }, run.Layout, run.Log, run.Work);
        using var config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(run.Layout, "blobs", "sha256", image.ConfigDigest.Hex)));
        var history = config.RootElement.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("created_by").GetString()!).ToList();
        Assert.Equal(second.Count, history.Count);
        Assert.All(history, (h, i) => Assert.Contains($"Module suite -> /opt/suite (part {i + 1}/{second.Count})", h));
        var labels = config.RootElement.GetProperty("config").GetProperty("Labels");
        Assert.Equal(string.Join(",", second.Select(l => l.Descriptor.Digest.ToString())), labels.GetProperty("io.containersdk.module.1.layer").GetString());
        Assert.Equal("12", labels.GetProperty("io.containersdk.module.1.version").GetString());
        Assert.False(labels.TryGetProperty("io.containersdk.module.2.name", out _));
    }

    /// <summary>
    /// A part starts before the one below it is complete (once its tar is with the compressor): a part that fails still
    /// fails the build with its own coded error, the parts below it are built, and none above it is started.
    /// </summary>
    [Fact]
    internal void A_failing_part_fails_the_build_with_its_error_and_no_part_after_it_starts()
    {
        using var run = new EngineRun("split-fail");
        var module = Module(run.Dir);
        // Deleted once every layer is planned, before any is written: the part that holds it cannot open it.
        var log = new DeletingLog(Path.Combine(module, "share/d3/f203.txt"));
        var e = Assert.Throws<Diagnostics.ContainerSdkException>(() => Core.Engine.ContainerEngine.BuildLayers(
            EngineRun.Validate(new[] { EngineRun.Module(module, "/opt/suite") }), Array.Empty<AclFileRequest>(),
            new LayerBuildOptions { WorkDirectory = run.Work, SplitSize = SplitSize }, log, TestContext.Current.CancellationToken));
        Assert.Equal(Diagnostics.Codes.FileChangedWhileReading, e.Code);
        Assert.Contains("f203.txt", e.Message);

        var built = log.Infos.Select(i => System.Text.RegularExpressions.Regex.Match(i, @"\(part (\d+)/(\d+)\): built ")).Where(m => m.Success).ToList();
        int parts = int.Parse(built[0].Groups[2].Value);
        var numbers = built.Select(m => int.Parse(m.Groups[1].Value)).Order().ToList();
        Assert.Equal(Enumerable.Range(1, numbers.Count), numbers); // the parts below the failing one, all of them
        // A part's line waits for the lines below it, so a part above the failing one would not show in the log: its blob would.
        var blobs = Directory.EnumerateFiles(new Core.Cache.WorkPaths(run.Work, null).Blobs).Where(b => Path.GetFileName(b).Length == 64).ToList();
        Assert.Equal(numbers.Count, blobs.Count);
        Assert.True(numbers.Count + 1 < parts, $"{numbers.Count} of {parts} parts built: the file is in the last part, so nothing shows that the parts after the failing one were not started");
    }

    private sealed class DeletingLog(string doomed) : Diagnostics.IBuildLog
    {
        public List<string> Infos { get; } = new();
        public void Info(string message) { lock (Infos) Infos.Add(message); }
        public void Detail(string message) { if (message.StartsWith("Planned ", StringComparison.Ordinal)) File.Delete(doomed); }
        public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) { }
    }
}
