using System.Diagnostics;
using ContainerSdk.Core.Bundle;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Tests.Layers;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Cache;

/// <summary>
/// ContainerCacheMaxSize: after many edits the work folder holds the current image and at most the bound of older blobs
/// (by default the image's size), the most recently used kept first, so going back to a recent state is a cache hit; a
/// shared folder is never pruned under a running build.
/// </summary>
public sealed class CacheBoundTests
{
    private sealed record Project(string Root)
    {
        public string Work => Path.Combine(Root, "obj");
        public string Layout => Path.Combine(Root, "bin", "image");
        public string Bundle => Path.Combine(Root, "bin", "site.tar.gz");
    }

    private static LayersResult Build(Project project, IReadOnlyList<LayerInput> inputs, long? maxSize = null, string? cache = null)
    {
        var log = new RecordingLog();
        // In a shared folder the bundle's segments are cache entries too: left out there, so that only layer blobs count.
        var bundle = cache is null ? new BundleOutput(project.Bundle, Path.ChangeExtension(project.Bundle, ".acl")) : null;
        var layers = ContainerEngine.BuildLayers(EngineRun.Validate(inputs), Array.Empty<AclFileRequest>(), new LayerBuildOptions { WorkDirectory = project.Work }, log,
            TestContext.Current.CancellationToken, bundle,
            new RegistrySettings { CacheDirectory = cache, CacheMaxSize = maxSize });
        ContainerEngine.WriteImage(layers, new ImageSettings { Repository = "site", Tags = new[] { "1" } }, project.Layout, log, project.Work, cache);
        return layers;
    }

    /// <summary>A module of incompressible files (its layer is most of the image) and small text files that the edits change.</summary>
    private static string Module(string path)
    {
        var random = new Random(7);
        var bytes = new byte[192 * 1024];
        for (int i = 0; i < 6; i++)
        {
            random.NextBytes(bytes);
            File.WriteAllBytes(Tree.File(path, $"lib/part{i}.bin", ""), bytes);
        }
        for (int i = 0; i < 40; i++) Tree.File(path, $"share/doc{i:D2}.txt", $"document {i}\n");
        return path;
    }

    private static void Edit(string module, int n) => Tree.File(module, "share/doc07.txt", $"document 7, edit {n}" + new string('!', n) + "\n");

    private static long SizeOf(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;

    private static long ImageSize(LayersResult layers) => layers.Sum(l => l.Descriptor.Size);

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void After_ten_one_file_edits_the_work_folder_holds_at_most_twice_the_image()
    {
        using var dir = new TempDir("bound");
        var module = Module(dir.Combine("suite"));
        var inputs = new[] { EngineRun.Base(Tree.Rootfs(dir.Combine("rootfs"))), EngineRun.Module(module, "/opt/suite") };
        var project = new Project(dir.Combine("p"));
        var blobs = Path.Combine(project.Work, "blobs", "sha256");

        var layers = Build(project, inputs);
        var first = layers[1].Descriptor.Digest.Hex;
        for (int n = 1; n <= 10; n++)
        {
            Edit(module, n);
            layers = Build(project, inputs);
            Assert.Equal(1, layers.CountFrom(LayerOrigin.Built));
            // The current image, and older blobs up to its size less the rest of the folder: within twice the image, but
            // for the bundle's segments of its own, which this build uses (a tree this small is one segment across both
            // layers, so no layer holds it; on a big module nearly all of them are copied out of the layer instead).
            Assert.InRange(SizeOf(project.Work) - SizeOf(Path.Combine(project.Work, "bundle")), ImageSize(layers), 2 * ImageSize(layers));
        }
        Assert.False(File.Exists(Path.Combine(blobs, first)));
        // Nothing describes an evicted blob any more.
        var held = Directory.EnumerateFiles(blobs).Select(Path.GetFileName).ToHashSet();
        Assert.All(Directory.EnumerateFiles(Path.Combine(project.Work, "cache", "segments")), f => Assert.Contains(Path.GetFileName(f), held));
        Assert.All(Directory.EnumerateFiles(Path.Combine(project.Work, "cache", "selectors")),
            f => Assert.Contains(File.ReadAllLines(f)[1]["sha256:".Length..], held));
        // Every blob of the work folder is the image's: an older version of the module is about the image's size, and
        // goes once the image step no longer links it (10 edits made 11 versions).
        Assert.Equal(layers.Count, held.Count);
        // bin/ holds only the current image's layers.
        var layout = Directory.EnumerateFiles(Path.Combine(project.Layout, "blobs", "sha256")).Select(Path.GetFileName).ToHashSet();
        Assert.All(layers, l => Assert.Contains(l.Descriptor.Digest.Hex, layout));
        Assert.Equal(layers.Count + 2, layout.Count); // the layers, the config and the manifest
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Going_back_to_a_state_within_the_bound_is_a_cache_hit_and_beyond_it_a_rebuild()
    {
        using var dir = new TempDir("bound");
        var module = Module(dir.Combine("suite"));
        var inputs = new[] { EngineRun.Base(Tree.Rootfs(dir.Combine("rootfs"))), EngineRun.Module(module, "/opt/suite") };
        var project = new Project(dir.Combine("p"));

        // States 0..4; the bound holds about three older module layers.
        var image = ImageSize(Build(project, inputs));
        long bound = 3 * image + image / 2;
        var digests = new List<string>();
        for (int n = 1; n <= 4; n++)
        {
            Edit(module, n);
            digests.Add(Build(project, inputs, bound)[1].Descriptor.Digest.Hex);
        }
        // Back to state 2 (two versions ago): a hit, no layer written.
        Edit(module, 2);
        var back = Build(project, inputs, bound);
        Assert.Equal(digests[1], back[1].Descriptor.Digest.Hex);
        Assert.Equal(0, back.CountFrom(LayerOrigin.Built));
        Assert.Equal(2, back.CountFrom(LayerOrigin.Unchanged) + back.CountFrom(LayerOrigin.EarlierBuild)); // the base, unchanged, and the module
        // State 2 was just used: it is the newest of the older blobs. A bound of nothing keeps none but the current ones.
        Edit(module, 5);
        Build(project, inputs, 0);
        Edit(module, 4);
        var gone = Build(project, inputs, 0);
        Assert.Equal(digests[3], gone[1].Descriptor.Digest.Hex);
        Assert.Equal(1, gone.CountFrom(LayerOrigin.Built));
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void A_shared_cache_folder_is_not_pruned_while_another_build_holds_its_lock_and_keeps_the_largest_bound()
    {
        var flock = Tools.Require("flock");
        using var dir = new TempDir("bound");
        var cache = dir.Combine("ci-cache");
        var module = Module(dir.Combine("suite"));
        var inputs = new[] { EngineRun.Base(Tree.Rootfs(dir.Combine("rootfs"))), EngineRun.Module(module, "/opt/suite") };
        var (a, b) = (new Project(dir.Combine("a")), new Project(dir.Combine("b")));
        var blobs = Path.Combine(cache, "blobs", "sha256");

        var built = Build(a, inputs, 0, cache);
        var image = ImageSize(built);
        var versions = new List<string> { built[1].Descriptor.Digest.Hex };
        bool Held(int version) => File.Exists(Path.Combine(blobs, versions[version]));
        // Another build (another process) is using the folder: its shared lock, as SharedCacheLock takes it.
        using (var other = Process.Start(new ProcessStartInfo(flock, new[] { "--shared", "--close", SharedCacheLock.LockFileOf(cache), "sleep", "60" }) { RedirectStandardOutput = true })!)
        {
            try
            {
                WaitForLock(cache);
                for (int n = 1; n <= 3; n++)
                {
                    Edit(module, n);
                    versions.Add(Build(a, inputs, 0, cache)[1].Descriptor.Digest.Hex);
                }
                // A bound of nothing, and yet every older module blob is still there: the other build may be using it.
                Assert.True(Held(0) && Held(1) && Held(2) && Held(3));
                Assert.Equal(1 + 4, Directory.EnumerateFiles(blobs).Count());
            }
            finally
            {
                other.Kill(entireProcessTree: true);
                other.WaitForExit();
            }
        }

        // Project b asks for room for two and a half images of older blobs: the folder keeps the two most recent for a too.
        Build(b, inputs, 2 * image + image / 2, cache);
        Assert.False(Held(0));
        Assert.True(Held(1) && Held(2) && Held(3));
        Edit(module, 4);
        versions.Add(Build(a, inputs, 0, cache)[1].Descriptor.Digest.Hex);
        // Version 3 is still in both layouts (it counts first), then the most recent older one.
        Assert.True(Held(2) && Held(3) && Held(4));
        Assert.False(Held(1));

        // Project b is gone (a deleted clone): its bound no longer counts, and a's keeps only what its layout holds.
        Directory.Delete(b.Root, recursive: true);
        Edit(module, 5);
        versions.Add(Build(a, inputs, 0, cache)[1].Descriptor.Digest.Hex);
        Assert.True(Held(4) && Held(5));
        Assert.False(Held(2) || Held(3));
        Assert.Equal(1 + 2, Directory.EnumerateFiles(blobs).Count());
    }

    /// <summary>flock(1) has taken its lock once this build's exclusive attempt fails.</summary>
    private static void WaitForLock(string cache)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using (new FileStream(SharedCacheLock.LockFileOf(cache), FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
            }
            catch (IOException) { return; }
            Thread.Sleep(20);
        }
        Assert.Fail("flock did not take the shared cache folder's lock");
    }
}
