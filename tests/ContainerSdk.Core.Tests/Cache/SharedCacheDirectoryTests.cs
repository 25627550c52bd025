using System.Security.Cryptography;
using System.Text.RegularExpressions;
using ContainerSdk.Core.Bundle;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Tests.Layers;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Cache;

/// <summary>
/// ContainerCacheDirectory shared by several projects and clones: layers, segment indexes and bundle segments live
/// there, builds of different projects run at once without waiting, and nobody's files or in-flight temporary files are
/// deleted by another project's sweep.
/// </summary>
public sealed class SharedCacheDirectoryTests
{
    private sealed record Project(string Root)
    {
        public string Work => Path.Combine(Root, "obj");
        public string Bundle => Path.Combine(Root, "out", "site.tar.gz");
        public string Layout => Path.Combine(Root, "out", "image");
    }

    private static (IReadOnlyList<BuiltLayer> Layers, string Digest, RecordingLog Log) Build(Project project, IReadOnlyList<LayerInput> inputs, string? cache)
    {
        var log = new RecordingLog();
        var layers = ContainerEngine.BuildLayers(EngineRun.Validate(inputs), Array.Empty<AclFileRequest>(), new LayerBuildOptions { WorkDirectory = project.Work }, log,
            TestContext.Current.CancellationToken, new BundleOutput(project.Bundle, Path.ChangeExtension(project.Bundle, ".acl")), new RegistrySettings { CacheDirectory = cache });
        var image = ContainerEngine.WriteImage(layers, new ImageSettings { Repository = "site", Tags = new[] { "1" } }, project.Layout, log, project.Work, cache);
        return (layers, image.ManifestDigest.ToString(), log);
    }

    /// <summary>A module of a few MiB of text files: several bundle segments.</summary>
    private static string Module(string path, int seed)
    {
        var random = new Random(seed);
        var text = new char[8000];
        for (int i = 0; i < 600; i++)
        {
            for (int j = 0; j < text.Length; j++) text[j] = (char)('a' + random.Next(20));
            Tree.File(path, $"share/d{i % 7}/f{i:D4}.txt", new string(text, 0, 500 + random.Next(text.Length - 500)));
        }
        return path;
    }

    private static string Line(RecordingLog log, string prefix) => Assert.Single(log.Infos, l => l.StartsWith(prefix, StringComparison.Ordinal));

    [Trait("Category", "EndToEnd")]
    [Fact]
    public async Task Two_projects_build_at_once_on_one_cache_folder_and_a_clone_with_an_empty_obj_takes_every_layer_from_it()
    {
        using var dir = new TempDir("shared");
        var cache = dir.Combine("ci-cache");
        var tool = Module(dir.Combine("tool"), 1);
        var inputsA = new[] { EngineRun.Base(Tree.Rootfs(dir.Combine("rootfs-a"))), EngineRun.Module(tool, "/opt/tool") };
        var other = Tree.Rootfs(dir.Combine("rootfs-b"));
        Tree.File(other, "etc/motd", "project b\n");
        var inputsB = new[] { EngineRun.Base(other), EngineRun.Module(tool, "/opt/tool"), EngineRun.Module(Module(dir.Combine("extra"), 2), "/opt/extra") };
        var (a, b) = (new Project(dir.Combine("a")), new Project(dir.Combine("b")));

        // Reference images, each project alone with its own obj/ only.
        var expectedA = Build(new Project(dir.Combine("alone-a")), inputsA, null).Digest;
        var expectedB = Build(new Project(dir.Combine("alone-b")), inputsB, null).Digest;

        var first = Build(a, inputsA, cache);
        Assert.Equal(expectedA, first.Digest);
        Assert.True(Directory.EnumerateFiles(Path.Combine(cache, "blobs", "sha256")).Count() >= 2);
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(cache, "cache", "segments")));
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(cache, "bundle")));
        // Only per-project state stays in obj/.
        Assert.False(Directory.Exists(Path.Combine(a.Work, "blobs")));
        Assert.False(Directory.Exists(Path.Combine(a.Work, "bundle")));
        Assert.True(File.Exists(Path.Combine(a.Work, "cache", "statcache.bin")));

        // Project b and a changed project a, at once: neither waits for the other; b takes the module layer a made.
        Tree.File(dir.Combine("rootfs-a"), "etc/motd", "project a, changed\n");
        var expectedA2 = Build(new Project(dir.Combine("alone-a2")), inputsA, null).Digest;
        var buildA = Task.Run(() => Build(a, inputsA, cache), TestContext.Current.CancellationToken);
        var buildB = Task.Run(() => Build(b, inputsB, cache), TestContext.Current.CancellationToken);
        var (secondA, secondB) = (await buildA, await buildB);
        Assert.Contains($"Module tool -> /opt/tool: from the cache folder {cache} (", Line(secondB.Log, "Layer 2/3 "));
        Assert.Equal(expectedA2, secondA.Digest);
        Assert.Equal(expectedB, secondB.Digest);
        Assert.DoesNotContain(secondA.Log.Infos.Concat(secondB.Log.Infos), l => l.StartsWith("Waiting for another build", StringComparison.Ordinal));
        Assert.Empty(secondA.Log.Warnings.Concat(secondB.Log.Warnings));
        Assert.Empty(Directory.EnumerateFiles(cache, ".csdk-tmp-*", SearchOption.AllDirectories));

        // A clone of b with an empty obj/: every layer from the cache folder, the bundle made of its segments.
        var clone = new Project(dir.Combine("b-clone"));
        var cloned = Build(clone, inputsB, cache);
        Assert.Equal(expectedB, cloned.Digest);
        for (int i = 1; i <= 3; i++)
            Assert.Contains($": from the cache folder {cache} (", Line(cloned.Log, $"Layer {i}/3 "));
        var bundleLine = Line(cloned.Log, "Bundle ");
        // Nothing compressed: each segment from the cache folder's segments or straight out of its layer blobs there.
        var m = Regex.Match(bundleLine, @"(\d+) of (\d+) segments reused, (\d+) copied from the layers");
        Assert.True(m.Success && int.Parse(m.Groups[1].Value) + int.Parse(m.Groups[3].Value) == int.Parse(m.Groups[2].Value), bundleLine);
        Assert.Equal(Sha(b.Bundle), Sha(clone.Bundle));
        Assert.Equal(Sha(Path.Combine(dir.Combine("alone-b"), "out", "site.tar.gz")), Sha(clone.Bundle));
        Tools.Run("tar", "-tzf", clone.Bundle).EnsureSuccess("tar -t of the clone's bundle");

        // Built again in its own obj/, b's layers are simply unchanged (the journal knows them), and no blob is read
        // again although three projects' layouts linked the shared blobs since b's last build (each link moves the ctime).
        var again = Build(b, inputsB, cache);
        Assert.All(again.Log.Infos.Where(l => l.StartsWith("Layer ", StringComparison.Ordinal)), l => Assert.Contains(": unchanged (", l));
        Assert.DoesNotContain(again.Log.Infos, l => l.Contains("read again", StringComparison.Ordinal));
    }

    [Fact]
    public void A_build_sweeps_a_shared_cache_folder_only_when_no_other_build_uses_it_and_touches_nothing_it_did_not_write()
    {
        using var dir = new TempDir("sweep");
        var cache = dir.Combine("obj", "shared"); // inside the project's own work folder: still swept only by the shared rule
        var project = new Project(dir.Path);
        var inputs = new[] { EngineRun.Base(Tree.Rootfs(dir.Combine("rootfs"))) };
        Build(project, inputs, cache);

        var inFlight = Tree.FileAt(Path.Combine(cache, "blobs", "sha256", ".csdk-tmp-0123-another-build"), "half a blob");
        var mine = Tree.FileAt(Path.Combine(cache, "notes", ".csdk-tmp-not-ours"), "a file in a folder builds never write");
        var foreign = Tree.FileAt(Path.Combine(cache, "README.txt"), "the CI's own file");
        var workLeftover = Tree.FileAt(Path.Combine(project.Work, "cache", ".csdk-tmp-statcache-dead"), "left by a killed build");

        // Another build (another project) uses the folder: this one neither waits nor deletes that build's temporary file.
        using (SharedCacheLock.Enter(SharedCacheLock.LockFileOf(cache), () => { }, cancellationToken: TestContext.Current.CancellationToken))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Build(project, inputs, cache);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60));
            Assert.True(File.Exists(inFlight));
            Assert.False(File.Exists(workLeftover)); // the work folder is this project's alone
        }

        // Alone now: what a dead build left in the folders builds write is gone; nothing else is touched.
        Build(project, inputs, cache);
        Assert.False(File.Exists(inFlight));
        Assert.True(File.Exists(mine));
        Assert.True(File.Exists(foreign));
    }

    [Fact]
    public void Shared_locks_do_not_exclude_each_other_and_the_sweep_waits_for_no_one()
    {
        using var dir = new TempDir("shlock");
        var lockFile = SharedCacheLock.LockFileOf(dir.Path);
        int sweeps = 0;
        using var one = SharedCacheLock.Enter(lockFile, () => sweeps++, cancellationToken: TestContext.Current.CancellationToken);
        using var two = SharedCacheLock.Enter(lockFile, () => sweeps++, TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);
        Assert.Equal(1, sweeps); // only the first was alone
    }

    private static string Sha(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}
