using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ContainerSdk.Core.Bundle;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Tests.Registry;

/// <summary>The engine with registries behind its seams: a docker:// base, the registry layer cache, publishing.</summary>
[Trait("Category", "EndToEnd")]
public sealed class RegistryEngineTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static IReadOnlyList<BuiltLayer> Build(string work, IReadOnlyList<LayerInput> inputs, RegistrySettings registries, IBuildLog log, string? bundleFolder = null) =>
        ContainerEngine.BuildLayers(Core.Tests.Layers.EngineRun.Validate(inputs), Array.Empty<AclFileRequest>(), new LayerBuildOptions { WorkDirectory = work }, log, Cancel,
            bundleFolder is null ? null : new BundleOutput(Path.Combine(bundleFolder, "site.tar.gz"), Path.Combine(bundleFolder, "site.acl")), registries);

    /// <summary>How many bundle segments were copied out of layer blobs and how many compressed (the bundle step's detail line).</summary>
    private static (int Copied, int Compressed) BundleCounts(TranscriptLog log)
    {
        var m = Assert.Single(log.Lines.Select(l => Regex.Match(l, @"Bundle: flattened .* copied (\d+) out of layer blobs, compressed (\d+) in")), m => m.Success);
        return (int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value));
    }

    /// <summary>A few MiB of text in many files: several bundle segments that a module layer holds whole.</summary>
    private static void LargeTree(string root)
    {
        var random = new Random(5);
        var text = new char[8000];
        for (int i = 0; i < 500; i++)
        {
            for (int j = 0; j < text.Length; j++) text[j] = (char)('a' + random.Next(20));
            File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(root, "share", $"d{i % 5}")).FullName, $"f{i:D4}.txt"), new string(text, 0, 500 + random.Next(text.Length - 500)));
        }
    }

    private static LayerInput Module(string path, string target, params string[] allowed) =>
        new() { ItemSpec = Path.GetFileName(path), Kind = LayerKind.Module, SourcePath = path, TargetPath = target, AllowedRegistries = allowed };

    private static string ModuleTree(string root, string name)
    {
        var path = Path.Combine(root, name);
        Directory.CreateDirectory(Path.Combine(path, "bin"));
        File.WriteAllText(Path.Combine(path, "bin", name), $"#!/bin/sh\necho {name}\n");
        return path;
    }

    private static Digest ImageDigest(IReadOnlyList<BuiltLayer> layers, string layout) =>
        ContainerEngine.WriteImage(layers, new ImageSettings { Repository = "site", Tags = new[] { "1" } }, layout, new TranscriptLog()).ManifestDigest;

    /// <summary>The registry cache's shape tags (tags/list), each with the manifest it names and that manifest's layer blob.</summary>
    private static async Task<IReadOnlyList<(string Tag, byte[] Json, Digest Blob)>> ShapeTagsAsync(RegistryServer reg, RegistryClient client)
    {
        using var http = new HttpClient();
        var list = JsonNode.Parse(await http.GetStringAsync($"http://{reg.Host}/v2/ci/layers/tags/list", Cancel))!["tags"]!.AsArray();
        var shapes = new List<(string, byte[], Digest)>();
        foreach (var tag in list.Select(t => t!.GetValue<string>()).Where(t => t.StartsWith("csdk-shape-")))
        {
            var json = (await client.GetManifestAsync("ci/layers", tag, Cancel)).Json;
            shapes.Add((tag, json, Manifest.Parse(json).Layers[0].Digest));
        }
        return shapes;
    }

    private static int BlobGets(FaultProxy proxy, int skip, Digest blob) =>
        proxy.Requests.Skip(skip).Count(r => r.Method == "GET" && r.PathAndQuery.EndsWith("/blobs/" + blob));

    /// <summary>Runner A: modules a (one file) and b (many) built in an empty work folder, put into the registry cache behind the proxy.</summary>
    private static (LayerInput[] Inputs, RegistrySettings Registries, IReadOnlyList<BuiltLayer> Built) RunnerA(TempDir dir, FaultProxy proxy)
    {
        var b = ModuleTree(dir.Path, "b");
        LargeTree(b);
        var inputs = new[] { Module(ModuleTree(dir.Path, "a"), "/opt/a"), Module(b, "/opt/b") };
        var registries = new RegistrySettings { InsecureRegistries = proxy.Host, CacheRepository = $"{proxy.Host}/ci/layers", CacheDirectory = dir.Combine("cache-a") };
        return (inputs, registries, Build(dir.Combine("obj-a"), inputs, registries, new TranscriptLog()));
    }

    private const string Prefetched = "its download started before the files were hashed";

    [Fact]
    public async Task A_registry_base_costs_one_manifest_request_per_build_and_pinned_by_digest_it_builds_offline()
    {
        using var dir = new TempDir("regbase");
        await using var reg = await RegistryServer.StartAsync();
        var layout = TestLayout.Create(dir.Combine("layout"), "1", 3000, 80_000);
        await new ImagePusher(TestRegistryOptions.Plain(reg, dir.Combine("home")), new TranscriptLog()).PushLayoutAsync(layout.Path, reg.Host, "bases/test", null, cancel: Cancel);
        var module = ModuleTree(dir.Path, "tool");
        var settings = new RegistrySettings { CacheDirectory = dir.Combine("shared-cache") };
        IReadOnlyList<BuiltLayer> built;
        await using (var proxy = await FaultProxy.StartAsync(reg.Host, new FaultPlan()))
        {
            var registries = settings with { InsecureRegistries = proxy.Host };
            var inputs = new[]
            {
                new LayerInput { ItemSpec = $"docker://{proxy.Host}/bases/test:1", Kind = LayerKind.Base, SourcePath = $"docker://{proxy.Host}/bases/test:1" },
                Module(module, "/opt/tool"),
            };
            var log = new TranscriptLog();
            built = Build(dir.Combine("obj"), inputs, registries, log);
            Assert.Equal(layout.Manifest.Layers.Select(l => l.Digest), built.Take(2).Select(l => l.Descriptor.Digest));
            Assert.Single(proxy.Requests, r => r.Method == "GET" && r.PathAndQuery.Contains("/manifests/"));
            int blobGets = proxy.Requests.Count(r => r.Method == "GET" && r.PathAndQuery.Contains("/blobs/"));
            Assert.Equal(3, blobGets);

            Build(dir.Combine("obj"), inputs, registries, new TranscriptLog());
            Assert.Equal(2, proxy.Requests.Count(r => r.Method == "GET" && r.PathAndQuery.Contains("/manifests/")));
            Assert.Equal(blobGets, proxy.Requests.Count(r => r.Method == "GET" && r.PathAndQuery.Contains("/blobs/")));
        }
        // The proxy is gone; another project pinned to the digest, sharing the cache folder, needs nothing from it.
        var pinned = $"docker://127.0.0.1:1/bases/test@{layout.Digest}";
        var offline = Build(dir.Combine("obj-2"), new[] { new LayerInput { ItemSpec = pinned, Kind = LayerKind.Base, SourcePath = pinned } }, settings, new TranscriptLog());
        Assert.Equal(layout.Manifest.Layers.Select(l => l.Digest), offline.Select(l => l.Descriptor.Digest));
    }

    [Fact]
    public async Task A_fresh_work_folder_takes_its_layers_from_the_registry_cache_and_a_forbidden_cache_is_refused_before_any_byte()
    {
        using var dir = new TempDir("regcache");
        await using var reg = await RegistryServer.StartAsync();
        await using var proxy = await FaultProxy.StartAsync(reg.Host, new FaultPlan());
        var a = ModuleTree(dir.Path, "a");
        var b = ModuleTree(dir.Path, "b");
        LargeTree(b);
        var registries = new RegistrySettings { InsecureRegistries = proxy.Host, CacheRepository = $"{proxy.Host}/ci/layers", CacheDirectory = dir.Combine("cache-1") };
        var inputs = new[] { Module(a, "/opt/a"), Module(b, "/opt/b") };
        var coldLog = new TranscriptLog();
        var first = Build(dir.Combine("obj-1"), inputs, registries, coldLog, dir.Combine("out-1"));

        var log = new TranscriptLog();
        var second = Build(dir.Combine("obj-2"), inputs, registries with { CacheDirectory = dir.Combine("cache-2") }, log, dir.Combine("out-2"));
        Assert.Equal(first.Select(l => l.Descriptor.Digest), second.Select(l => l.Descriptor.Digest));
        Assert.Equal(2, log.Lines.Count(l => l.Contains($": from the registry cache {proxy.Host}/ci/layers (")));
        Assert.DoesNotContain(log.Lines, l => l.StartsWith("warning"));
        // The fresh work folder's bundle is the cold one, its segments copied out of the downloaded layers as the cold build did.
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Combine("out-1"), "site.tar.gz")), File.ReadAllBytes(Path.Combine(dir.Combine("out-2"), "site.tar.gz")));
        var (coldCopied, coldCompressed) = BundleCounts(coldLog);
        Assert.True(coldCopied >= 2, string.Join("\n", coldLog.Lines));
        // The segments no layer holds whole (where /opt/a and /opt/b meet) were compressed once, by the cold build, and
        // put into the cache repository: the fresh work folder takes them from there and compresses nothing.
        Assert.True(coldCompressed >= 1, string.Join("\n", coldLog.Lines));
        Assert.Equal((coldCopied, 0), BundleCounts(log));
        Assert.Contains(log.Lines, l => l.Contains($"segments reused, {coldCopied} copied from the layers, {coldCompressed} from the registry cache, "));
        Assert.Equal(coldCompressed, proxy.Requests.Count(r => r.Method == "PUT" && r.PathAndQuery.Contains("/manifests/csdk-segment-")));

        int before = proxy.Requests.Count;
        var licensed = new[] { Module(a, "/opt/a", "harbor.site/licensed"), Module(b, "/opt/b") };
        var refused = Assert.Throws<ContainerSdkException>(() => Build(dir.Combine("obj-3"), licensed, registries, new TranscriptLog()));
        Assert.Equal(Codes.RegistryNotAllowed, refused.Code);
        Assert.Equal(before, proxy.Requests.Count);
    }

    [Fact]
    public async Task Publishing_pushes_the_local_digest_and_a_licensed_module_keeps_the_image_off_other_registries()
    {
        using var dir = new TempDir("regpub");
        await using var reg = await RegistryServer.StartAsync();
        await using var proxy = await FaultProxy.StartAsync(reg.Host, new FaultPlan());
        var tool = ModuleTree(dir.Path, "tool");
        var log = new TranscriptLog();
        var layers = Build(dir.Combine("obj"), new[] { Module(tool, "/opt/tool", $"{proxy.Host}/hpc") }, new RegistrySettings(), log);
        var image = ContainerEngine.WriteImage(layers, new ImageSettings { Repository = "hpc/site", Tags = new[] { "1" } }, dir.Combine("image"), log);
        var registries = new RegistrySettings { InsecureRegistries = proxy.Host };
        PublishSettings Settings(string repository) => new()
        {
            Registry = proxy.Host, Repository = repository, Tags = new[] { "1", "latest" },
            Layers = layers.Select(l => new PublishedLayer(l.Descriptor.Digest, l.ItemSpec, new[] { $"{proxy.Host}/hpc" })).ToArray(),
        };

        var refused = Assert.Throws<ContainerSdkException>(() => ContainerEngine.PublishImage(dir.Combine("image"), Settings("public/site"), registries, log));
        Assert.Equal(Codes.RegistryNotAllowed, refused.Code);
        Assert.Empty(proxy.Requests);

        var digest = ContainerEngine.PublishImage(dir.Combine("image"), Settings("hpc/site"), registries, log).Digest;
        Assert.Equal(image.ManifestDigest, digest);
        var skopeo = Tools.Require("skopeo");
        var raw = Tools.Run(skopeo, "inspect", "--tls-verify=false", "--raw", $"docker://{reg.Host}/hpc/site:latest").EnsureSuccess("skopeo inspect");
        Assert.Equal(digest, ContainerSdk.Core.Oci.Digest.Compute(System.Text.Encoding.UTF8.GetBytes(raw.StdOut)));
    }

    [Fact]
    public async Task A_fresh_runner_starts_downloading_each_layer_by_its_shape_before_hashing_and_downloads_it_once()
    {
        using var dir = new TempDir("prefetch");
        await using var reg = await RegistryServer.StartAsync();
        await using var proxy = await FaultProxy.StartAsync(reg.Host, new FaultPlan());
        var (inputs, registries, first) = RunnerA(dir, proxy);

        // Runner A tagged each entry by its shape too: the very manifest its fingerprint's tag names.
        using var client = new RegistryClient(reg.Host, TestRegistryOptions.Plain(reg, dir.Combine("home")), new TranscriptLog());
        var shapes = await ShapeTagsAsync(reg, client);
        Assert.Equal(first.Select(l => l.Descriptor.Digest.ToString()).Order(), shapes.Select(s => s.Blob.ToString()).Order());
        Assert.All(shapes, s => Assert.Matches("^[A-Za-z0-9_.-]{1,128}$", s.Tag));

        // b's blob answers after a second: still coming when the lookup by fingerprint names it, which must wait for it.
        proxy.Plan.Delay("GET", "/blobs/" + first[1].Descriptor.Digest, TimeSpan.FromSeconds(1));
        int before = proxy.Requests.Count;
        var log = new TranscriptLog();
        var second = Build(dir.Combine("obj-b"), inputs, registries with { CacheDirectory = dir.Combine("cache-b") }, log);
        Assert.Equal(ImageDigest(first, dir.Combine("image-a")), ImageDigest(second, dir.Combine("image-b")));
        Assert.Equal(2, log.Lines.Count(l => l.Contains($": from the registry cache {proxy.Host}/ci/layers (") && l.Contains(Prefetched)));
        // The lookup by fingerprint waited for the prefetch's download instead of starting its own.
        Assert.All(first, layer => Assert.Equal(1, BlobGets(proxy, before, layer.Descriptor.Digest)));
        Assert.DoesNotContain(log.Lines, l => l.StartsWith("warning"));
    }

    [Fact]
    public async Task A_runner_that_kept_its_cache_folder_but_not_its_work_folder_takes_its_layers_from_the_folder_and_downloads_nothing()
    {
        using var dir = new TempDir("prefetch");
        await using var reg = await RegistryServer.StartAsync();
        await using var proxy = await FaultProxy.StartAsync(reg.Host, new FaultPlan());
        var (inputs, registries, first) = RunnerA(dir, proxy);

        // A CI job restores ContainerCacheDirectory (cache-a) into a fresh checkout. Every file's ctime moves, as a
        // checkout's does, so the stat cache vouches for none: the layers are hashed, and prefetched by shape meanwhile.
        foreach (var file in inputs.SelectMany(i => Directory.EnumerateFiles(i.SourcePath, "*", SearchOption.AllDirectories)))
            File.SetLastWriteTimeUtc(file, File.GetLastWriteTimeUtc(file));
        int before = proxy.Requests.Count;
        var log = new TranscriptLog();
        var second = Build(dir.Combine("obj-b"), inputs, registries, log);

        Assert.Equal(first.Select(l => l.Descriptor.Digest), second.Select(l => l.Descriptor.Digest));
        Assert.All(second, layer => Assert.Equal(LayerOrigin.EarlierBuild, layer.Origin));
        Assert.DoesNotContain(proxy.Requests.Skip(before), r => r.PathAndQuery.Contains("/blobs/"));
        var store = new BlobStore(new WorkPaths(dir.Combine("obj-b"), dir.Combine("cache-a")).Registry);
        Assert.All(first, layer => Assert.False(File.Exists(store.PathOf(layer.Descriptor.Digest))));
        Assert.DoesNotContain(log.Lines, l => l.Contains(Prefetched) || l.StartsWith("warning"));
    }

    [Fact]
    public async Task A_prefetch_by_shape_skips_the_blobs_that_the_cache_folder_in_front_holds()
    {
        using var dir = new TempDir("prefetch");
        await using var reg = await RegistryServer.StartAsync();
        await using var proxy = await FaultProxy.StartAsync(reg.Host, new FaultPlan());
        RunnerA(dir, proxy);
        using var client = new RegistryClient(reg.Host, TestRegistryOptions.Plain(reg, dir.Combine("home")), new TranscriptLog());
        var shapes = await ShapeTagsAsync(reg, client);

        // The chain a build makes over the kept folder (cache-a) and the registry, and one that has no folder in front.
        foreach (var (folder, held) in new[] { ("cache-a", true), ("cache-empty", false) })
        {
            var paths = new WorkPaths(dir.Combine("obj-" + folder), dir.Combine(folder));
            var log = new TranscriptLog();
            using var repository = new LayerCacheRepository(proxy.Host, "ci/layers", TestRegistryOptions.For(dir.Combine("home"), insecure: new[] { proxy.Host }),
                new BlobStore(paths.Registry), log);
            var cache = PrefetchingLayerCache.Chain(new FolderLayerCache(paths), new RegistryLayerCache(repository));
            int before = proxy.Requests.Count;
            foreach (var (tag, _, blob) in shapes)
            {
                // The prefetch runs while the key's fingerprint is worked out (the files hashed): here, while that waits for
                // its trace. The fingerprint is no layer's, so the lookup misses after.
                string? told = null;
                var key = new LayerKey(() =>
                {
                    // The shape's entry is read in the background; its detail line says what it then fetches.
                    told = Poll(() => log.Lines.FirstOrDefault(l => l.Contains(tag[..19]) && l.Contains("while the files are hashed"))).GetAwaiter().GetResult();
                    if (!held) Poll(() => BlobGets(proxy, before, blob) > 0 ? "asked" : null).GetAwaiter().GetResult();
                    return new byte[32];
                }, () => Convert.FromHexString(tag["csdk-shape-".Length..]), readsFiles: true);
                // Off the test's synchronization context: the fingerprint's work blocks on the polls.
                Assert.Null((await Task.Run(() => cache.TryGet(key), Cancel)).Blob);
                Assert.NotNull(told);
                Assert.Equal(held, told.Contains("are on this machine already; nothing to download"));
                if (!held) Assert.Contains(blob.ToString(), told);
            }
            if (held) Assert.DoesNotContain(proxy.Requests.Skip(before), r => r.PathAndQuery.Contains("/blobs/"));
        }
    }

    /// <summary>What <paramref name="probe"/> gives once it gives something (a background step's trace), within ten seconds.</summary>
    private static async Task<string> Poll(Func<string?> probe)
    {
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(10); await Task.Delay(10, Cancel))
            if (probe() is { } found) return found;
        throw new TimeoutException("the background step left no trace in ten seconds");
    }

    [Fact]
    public async Task A_file_changed_to_other_bytes_of_its_size_keeps_the_shape_and_the_prefetched_blob_is_stopped_and_not_used()
    {
        using var dir = new TempDir("prefetch");
        await using var reg = await RegistryServer.StartAsync();
        await using var proxy = await FaultProxy.StartAsync(reg.Host, new FaultPlan());
        var (inputs, registries, first) = RunnerA(dir, proxy);

        var changed = Path.Combine(inputs[1].SourcePath, "share", "d0", "f0000.txt");
        var bytes = File.ReadAllBytes(changed);
        bytes[0] = (byte)(bytes[0] == 'x' ? 'y' : 'x');
        File.WriteAllBytes(changed, bytes);
        // Runner A's blob of b comes in part and then hangs, and the lookups by fingerprint wait a second: the prefetch
        // is mid-download, its temporary file open, when the fingerprint misses.
        proxy.Plan.StallBody("GET", "/blobs/" + first[1].Descriptor.Digest, afterBodyBytes: 4096)
            .Delay("GET", "/manifests/csdk-[0-9a-f]{64}$", TimeSpan.FromSeconds(1), FaultPlan.Always);
        var log = new TranscriptLog();
        var work = dir.Combine("obj-b");
        var second = Build(work, inputs, registries with { CacheDirectory = dir.Combine("cache-b") }, log);

        Assert.Contains(proxy.Plan.Rules, r => r.Kind == FaultKind.StallBody && r.Left == 0);
        var cold = Build(dir.Combine("obj-cold"), inputs, new RegistrySettings(), new TranscriptLog());
        Assert.Equal(cold.Select(l => l.Descriptor.Digest), second.Select(l => l.Descriptor.Digest));
        Assert.NotEqual(first[1].Descriptor.Digest, second[1].Descriptor.Digest);
        Assert.Contains(log.Lines, l => l.Contains("Module b -> /opt/b: built "));
        Assert.Contains(log.Lines, l => l.StartsWith("detail: ") && l.Contains("prefetch stopped"));
        var store = new BlobStore(new WorkPaths(work, dir.Combine("cache-b")).Registry);
        Assert.False(File.Exists(store.PathOf(first[1].Descriptor.Digest)));
        Assert.DoesNotContain(Directory.EnumerateFiles(store.Root, "*", SearchOption.AllDirectories), f => Path.GetFileName(f).StartsWith(".csdk-tmp-"));
        Assert.DoesNotContain(log.Lines, l => l.StartsWith("warning"));
    }

    [Fact]
    public async Task A_missing_or_garbage_shape_tag_is_a_silent_miss_and_the_fingerprint_still_decides()
    {
        using var dir = new TempDir("prefetch");
        await using var reg = await RegistryServer.StartAsync();
        await using var proxy = await FaultProxy.StartAsync(reg.Host, new FaultPlan());
        var (inputs, registries, first) = RunnerA(dir, proxy);
        var expected = first.Select(l => l.Descriptor.Digest).ToList();

        void FromTheFingerprint(TranscriptLog log, IReadOnlyList<BuiltLayer> built)
        {
            Assert.Equal(expected, built.Select(l => l.Descriptor.Digest));
            Assert.Equal(2, log.Lines.Count(l => l.Contains(": from the registry cache ")));
            Assert.DoesNotContain(log.Lines, l => l.StartsWith("warning"));
        }

        // Missing: the registry has no shape tag for either layer.
        await using (var missing = await FaultProxy.StartAsync(reg.Host, new FaultPlan().Fail("GET", "/manifests/csdk-shape-", 404, FaultPlan.Always)))
        {
            var log = new TranscriptLog();
            FromTheFingerprint(log, Build(dir.Combine("obj-b"), inputs,
                new RegistrySettings { InsecureRegistries = missing.Host, CacheRepository = $"{missing.Host}/ci/layers", CacheDirectory = dir.Combine("cache-b") }, log));
            Assert.DoesNotContain(log.Lines, l => l.Contains(Prefetched));
            Assert.Equal(2, log.Lines.Count(l => l.StartsWith("detail: ") && l.Contains("nothing prefetched")));
        }

        // Garbage: a's shape tag names a manifest that is no layer record, b's names a's entry (another blob).
        using var client = new RegistryClient(reg.Host, TestRegistryOptions.Plain(reg, dir.Combine("home")), new TranscriptLog());
        var shapes = await ShapeTagsAsync(reg, client);
        var (shapeOfA, entryOfA, _) = Assert.Single(shapes, s => s.Blob == expected[0]);
        var (shapeOfB, _, _) = Assert.Single(shapes, s => s.Blob == expected[1]);
        var notARecord = JsonNode.Parse(entryOfA)!.AsObject();
        notARecord.Remove("annotations");
        await client.PutManifestAsync("ci/layers", shapeOfA, System.Text.Encoding.UTF8.GetBytes(notARecord.ToJsonString()), MediaTypes.ImageManifest, Cancel);
        await client.PutManifestAsync("ci/layers", shapeOfB, entryOfA, MediaTypes.ImageManifest, Cancel);
        int before = proxy.Requests.Count;
        var garbage = new TranscriptLog();
        FromTheFingerprint(garbage, Build(dir.Combine("obj-c"), inputs, registries with { CacheDirectory = dir.Combine("cache-c") }, garbage));
        Assert.DoesNotContain(garbage.Lines, l => l.Contains("Module b -> /opt/b: from") && l.Contains(Prefetched));
        Assert.Equal(1, BlobGets(proxy, before, expected[1]));
    }
}
