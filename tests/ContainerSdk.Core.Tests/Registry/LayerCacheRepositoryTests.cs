using System.Security.Cryptography;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Tests.Registry;

/// <summary>A registry repository as the layer cache CI runners share (ContainerCacheRepository).</summary>
[Trait("Category", "EndToEnd")]
public sealed class LayerCacheRepositoryTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static (byte[] Fingerprint, CachedLayer Layer) AnyLayer(TestLayout layout, int i = 0)
    {
        var blob = layout.Manifest.Layers[i];
        return (RandomNumberGenerator.GetBytes(32), new CachedLayer(blob, Digest.Compute(new byte[] { (byte)i }), 12345 + i, layout.BlobPath(blob.Digest)));
    }

    [Fact]
    public async Task A_layer_put_by_one_machine_is_found_by_another_digest_checked_and_skopeo_reads_the_entry()
    {
        using var dir = new TempDir("lcache");
        await using var reg = await RegistryServer.StartAsync();
        var layout = TestLayout.Create(dir.Combine("layout"));
        var (fingerprint, layer) = AnyLayer(layout, 1);
        layer = layer with { SegmentIndex = "csdk-layer-segments-portable-1\n"u8.ToArray() };
        var options = TestRegistryOptions.Plain(reg, dir.Combine("home"));
        var log = new TranscriptLog();
        using (var writer = new LayerCacheRepository(reg.Host, "ci/layers", options, new BlobStore(dir.Combine("a")), log))
            Assert.True(await writer.TryPutAsync(fingerprint, RandomNumberGenerator.GetBytes(32), layer, Cancel));

        using var reader = new LayerCacheRepository(reg.Host, "ci/layers", options, new BlobStore(dir.Combine("b")), log);
        var hit = await reader.TryGetAsync(fingerprint, null, Cancel);
        Assert.NotNull(hit);
        Assert.Equal((layer.Blob, layer.DiffId, layer.UncompressedSize), (hit.Blob, hit.DiffId, hit.UncompressedSize));
        Assert.StartsWith(dir.Combine("b"), hit.Path);
        Assert.Equal(File.ReadAllBytes(layer.Path), File.ReadAllBytes(hit.Path));
        Assert.Equal(layer.SegmentIndex, hit.SegmentIndex); // the entry's second blob, digest-checked like the first
        Assert.Null(await reader.TryGetAsync(RandomNumberGenerator.GetBytes(32), null, Cancel));
        Assert.DoesNotContain(log.Lines, l => l.StartsWith("warning"));

        var skopeo = Tools.Require("skopeo");
        Tools.Run(skopeo, "inspect", "--tls-verify=false", "--raw", $"docker://{reg.Host}/ci/layers:{LayerCacheRepository.Tag(fingerprint)}")
            .EnsureSuccess("skopeo inspect of a cache entry");
    }

    /// <summary>A layer record as the cache writes it, naming <paramref name="blob"/> (digest and size as given).</summary>
    private static (string ContentType, byte[] Json) Record(Descriptor blob) => (MediaTypes.ImageManifest, new Manifest
    {
        Config = new Descriptor(LayerCacheRepository.ConfigMediaType, Digest.Compute("{}"u8.ToArray()), 2),
        Layers = new[] { blob },
        Annotations = new Dictionary<string, string>
        {
            [LayerCacheRepository.DiffIdAnnotation] = Digest.Compute(new byte[] { 1 }).ToString(),
            [LayerCacheRepository.UncompressedSizeAnnotation] = "4096",
        },
    }.ToJson());

    [Fact]
    public async Task A_build_that_needs_no_layer_bytes_trusts_a_hit_by_the_registrys_HEAD_answer_and_reads_one_it_does_not_vouch_for()
    {
        using var dir = new TempDir("lcache");
        var blob = RandomNumberGenerator.GetBytes(20_000);
        var descriptor = new Descriptor(MediaTypes.LayerGzip, Digest.Compute(blob), blob.Length);
        byte[] vouched = RandomNumberGenerator.GetBytes(32), wrongSize = RandomNumberGenerator.GetBytes(32);
        await using var hostile = HostileRegistry.Start(new HostileRegistryOptions
        {
            Blob = blob,
            Manifests = new Dictionary<string, (string, byte[])>
            {
                [LayerCacheRepository.Tag(vouched)] = Record(descriptor),
                // The same digest with another size: the HEAD answer (the blob's true length) does not vouch for this entry.
                [LayerCacheRepository.Tag(wrongSize)] = Record(descriptor with { Size = blob.Length + 1 }),
            },
        });
        var log = new TranscriptLog();
        using var cache = new LayerCacheRepository(hostile.Host, "site", TestRegistryOptions.For(dir.Combine("home"), insecure: new[] { hostile.Host }),
            new BlobStore(dir.Combine("store")), log);

        var hit = await cache.TryFindAsync(vouched, Cancel);
        Assert.NotNull(hit);
        Assert.True(hit.Remote);
        Assert.Equal("", hit.Path);
        Assert.Equal(descriptor, hit.Blob);
        Assert.Contains(hostile.Requests, r => r.Method == "HEAD" && r.Target.EndsWith("/blobs/" + descriptor.Digest, StringComparison.Ordinal));
        Assert.DoesNotContain(hostile.Requests, r => r.Method == "GET" && r.Target.Contains("/blobs/", StringComparison.Ordinal));
        Assert.False(Directory.Exists(dir.Combine("store")) && Directory.EnumerateFiles(dir.Combine("store"), "*", SearchOption.AllDirectories).Any());

        // Not vouched for: read as any hit is, and its bytes are not the entry's, so it is a miss with the cache's warning.
        Assert.Null(await cache.TryFindAsync(wrongSize, Cancel));
        Assert.Contains(hostile.Requests, r => r.Method == "GET" && r.Target.EndsWith("/blobs/" + descriptor.Digest, StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.StartsWith("warning") && l.Contains("CSDK5008", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cache_the_build_may_not_write_warns_once_and_a_corrupt_hit_is_a_miss()
    {
        using var dir = new TempDir("lcache");
        await using var reg = await RegistryServer.StartAsync(new RegistryServerOptions
        {
            TokenAuth = true, Users = new Dictionary<string, string> { ["writer"] = "w", ["reader"] = "r" }, ReadOnlyUsers = new[] { "reader" },
        });
        var layout = TestLayout.Create(dir.Combine("layout"), "1", 5000, 7000);
        var (first, layer) = AnyLayer(layout, 0);
        var (second, other) = AnyLayer(layout, 1);
        var log = new TranscriptLog();
        var reader = TestRegistryOptions.Plain(reg, dir.Combine("home"), new Dictionary<string, string> { ["CONTAINERSDK_REGISTRY_USER"] = "reader", ["CONTAINERSDK_REGISTRY_PASSWORD"] = "r" });
        using (var cache = new LayerCacheRepository(reg.Host, "ci/layers", reader, new BlobStore(dir.Combine("a")), log))
        {
            Assert.False(await cache.TryPutAsync(first, RandomNumberGenerator.GetBytes(32), layer, Cancel));
            Assert.False(await cache.TryPutAsync(second, RandomNumberGenerator.GetBytes(32), other, Cancel));
        }
        Assert.Single(log.Lines, l => l.StartsWith($"warning {Codes.RegistryCacheUnusable}"));
        Assert.DoesNotContain(log.All, "\"r\"");

        var writer = TestRegistryOptions.Plain(reg, dir.Combine("home"), new Dictionary<string, string> { ["CONTAINERSDK_REGISTRY_USER"] = "writer", ["CONTAINERSDK_REGISTRY_PASSWORD"] = "w" });
        using (var cache = new LayerCacheRepository(reg.Host, "ci/layers", writer, new BlobStore(dir.Combine("a")), new TranscriptLog()))
            Assert.True(await cache.TryPutAsync(first, RandomNumberGenerator.GetBytes(32), layer, Cancel));

        await using var proxy = await FaultProxy.StartAsync(reg.Host, new FaultPlan().CorruptBody("GET", "/blobs/sha256:"));
        var corrupt = new TranscriptLog();
        var viaProxy = TestRegistryOptions.For(dir.Combine("home"), new Dictionary<string, string> { ["CONTAINERSDK_REGISTRY_USER"] = "reader", ["CONTAINERSDK_REGISTRY_PASSWORD"] = "r" },
            insecure: new[] { proxy.Host });
        var store = new BlobStore(dir.Combine("c"));
        using (var cache = new LayerCacheRepository(proxy.Host, "ci/layers", viaProxy, store, corrupt))
            Assert.Null(await cache.TryGetAsync(first, null, Cancel));
        Assert.Contains(corrupt.Lines, l => l.StartsWith($"warning {Codes.RegistryCacheUnusable}") && l.Contains("is not the one asked for"));
        Assert.False(File.Exists(store.PathOf(layer.Blob.Digest)));
    }

    [Fact]
    public async Task A_base_layers_tarball_index_put_by_one_machine_is_found_by_another_by_its_diff_id()
    {
        using var dir = new TempDir("lcache");
        await using var reg = await RegistryServer.StartAsync();
        var options = TestRegistryOptions.Plain(reg, dir.Combine("home"));
        var log = new TranscriptLog();
        var index = RandomNumberGenerator.GetBytes(3000);
        var path = dir.Combine("index.idx");
        File.WriteAllBytes(path, index);
        var diffId = Digest.Compute(RandomNumberGenerator.GetBytes(16));
        using (var writer = new LayerCacheRepository(reg.Host, "ci/layers", options, new BlobStore(dir.Combine("a")), log))
            Assert.True(await writer.TryPutTarballIndexAsync(diffId, path, Cancel));

        using var reader = new LayerCacheRepository(reg.Host, "ci/layers", options, new BlobStore(dir.Combine("b")), log);
        Assert.Equal(index, await reader.TryGetTarballIndexAsync(diffId, Cancel));
        Assert.Null(await reader.TryGetTarballIndexAsync(Digest.Compute(RandomNumberGenerator.GetBytes(16)), Cancel));
        Assert.DoesNotContain(log.Lines, l => l.StartsWith("warning"));
    }

    [Fact]
    public async Task A_bundle_segment_put_by_one_machine_is_found_by_another_and_an_entry_of_another_kind_is_a_miss()
    {
        using var dir = new TempDir("lcache");
        await using var reg = await RegistryServer.StartAsync();
        var options = TestRegistryOptions.Plain(reg, dir.Combine("home"));
        var segment = dir.Combine("segment.gz");
        File.WriteAllBytes(segment, RandomNumberGenerator.GetBytes(70_000));
        var digest = Digest.Compute(File.ReadAllBytes(segment));
        string name = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        var log = new TranscriptLog();
        using (var writer = new LayerCacheRepository(reg.Host, "ci/layers", options, new BlobStore(dir.Combine("a")), log))
            Assert.True(await writer.TryPutSegmentAsync(name, segment, digest, Cancel));

        using var reader = new LayerCacheRepository(reg.Host, "ci/layers", options, new BlobStore(dir.Combine("b")), log);
        var hit = await reader.TryGetSegmentAsync(name, Cancel);
        Assert.NotNull(hit);
        Assert.Equal(digest, hit.Value.Digest);
        Assert.StartsWith(dir.Combine("b"), hit.Value.BlobPath);
        Assert.Equal(File.ReadAllBytes(segment), File.ReadAllBytes(hit.Value.BlobPath));
        Assert.Null(await reader.TryGetSegmentAsync(new string('0', 64), Cancel));
        Assert.DoesNotContain(log.Lines, l => l.StartsWith("warning"));

        // A layer entry tagged as if it were a segment (someone else's tool, or an older format): not taken.
        var layout = TestLayout.Create(dir.Combine("layout"));
        var (_, layer) = AnyLayer(layout);
        using (var writer = new LayerCacheRepository(reg.Host, "ci/layers", options, new BlobStore(dir.Combine("a")), log))
            Assert.True(await writer.TryPutAsync(Convert.FromHexString(name), null, layer, Cancel));
        var skopeo = Tools.Require("skopeo");
        Tools.Run(skopeo, "copy", "--src-tls-verify=false", "--dest-tls-verify=false",
                $"docker://{reg.Host}/ci/layers:{LayerCacheRepository.Tag(Convert.FromHexString(name))}", $"docker://{reg.Host}/ci/layers:{LayerCacheRepository.SegmentTag(name)}")
            .EnsureSuccess("skopeo copy of a layer entry over a segment's tag");
        var other = new TranscriptLog();
        using (var confused = new LayerCacheRepository(reg.Host, "ci/layers", options, new BlobStore(dir.Combine("c")), other))
            Assert.Null(await confused.TryGetSegmentAsync(name, Cancel));
        Assert.Single(other.Lines, l => l.StartsWith($"warning {Codes.RegistryCacheUnusable}") && l.Contains("not a ContainerSdk bundle segment"));
    }
}
