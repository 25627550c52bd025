using System.Text.RegularExpressions;
using ContainerSdk.Core.Bundle;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Tests.Registry;

/// <summary>The engine with registries behind its seams: a docker:// base, the registry layer cache, publishing.</summary>
public sealed class RegistryEngineTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static IReadOnlyList<BuiltLayer> Build(string work, IReadOnlyList<LayerInput> inputs, RegistrySettings registries, IBuildLog log, string? bundleFolder = null) =>
        ContainerEngine.BuildLayers(inputs, Array.Empty<AclFileInput>(), new LayerBuildOptions { WorkDirectory = work }, log, Cancel,
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

        var digest = ContainerEngine.PublishImage(dir.Combine("image"), Settings("hpc/site"), registries, log);
        Assert.Equal(image.ManifestDigest, digest);
        var skopeo = Tools.Require("skopeo");
        var raw = Tools.Run(skopeo, "inspect", "--tls-verify=false", "--raw", $"docker://{reg.Host}/hpc/site:latest").EnsureSuccess("skopeo inspect");
        Assert.Equal(digest, ContainerSdk.Core.Oci.Digest.Compute(System.Text.Encoding.UTF8.GetBytes(raw.StdOut)));
    }
}
