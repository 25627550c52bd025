using System.Text.Json;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Tests.Registry;

/// <summary>Push and pull against a real docker-registry, read back by skopeo (and the other way round).</summary>
[Trait("Category", "EndToEnd")]
public sealed class PushPullTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Push_sends_each_blob_once_then_the_manifest_and_a_second_push_sends_nothing()
    {
        using var dir = new TempDir("push");
        await using var reg = await RegistryServer.StartAsync();
        var layout = TestLayout.Create(dir.Combine("layout"), "v1", 1000, 200_000, 3_000_000);
        var options = TestRegistryOptions.Plain(reg, dir.Combine("home"));
        var log = new TranscriptLog();
        var pusher = new ImagePusher(options, log);

        var first = await pusher.PushLayoutAsync(layout.Path, reg.Host, "team/site", new[] { "v1", "latest" }, cancel: Cancel);
        Assert.Equal(layout.Digest, first.Digest);
        Assert.Equal((4, 0, 0), (first.Sent, first.Mounted, first.Present));
        Assert.Equal(4, log.Lines.Count(l => l.Contains(" sent in ")));

        var again = await pusher.PushLayoutAsync(layout.Path, reg.Host, "team/site", new[] { "v1" }, cancel: Cancel);
        Assert.Equal((0, 0, 4), (again.Sent, again.Mounted, again.Present));
        Assert.Contains(log.Lines, l => l.Contains("no blob sent") && l.Contains(layout.Digest.ToString()));

        // skopeo reads what was pushed: same digest under both tags, the same layers.
        var skopeo = Tools.Require("skopeo");
        foreach (var tag in new[] { "v1", "latest" })
        {
            var inspect = Tools.Run(skopeo, "inspect", "--tls-verify=false", "--raw", $"docker://{reg.Host}/team/site:{tag}").EnsureSuccess("skopeo inspect");
            Assert.Equal(layout.Digest, Digest.Compute(System.Text.Encoding.UTF8.GetBytes(inspect.StdOut)));
        }
        var info = Tools.Run(skopeo, "inspect", "--tls-verify=false", $"docker://{reg.Host}/team/site:v1").EnsureSuccess("skopeo inspect");
        using var doc = JsonDocument.Parse(info.StdOut);
        Assert.Equal(layout.Manifest.Layers.Select(l => l.Digest.ToString()), doc.RootElement.GetProperty("Layers").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_blob_of_another_repository_is_mounted_not_sent()
    {
        using var dir = new TempDir("mount");
        await using var reg = await RegistryServer.StartAsync();
        var layout = TestLayout.Create(dir.Combine("layout"));
        var options = TestRegistryOptions.Plain(reg, dir.Combine("home"));
        var pusher = new ImagePusher(options, new TranscriptLog());
        await pusher.PushLayoutAsync(layout.Path, reg.Host, "base", null, cancel: Cancel);

        var log = new TranscriptLog();
        var result = await new ImagePusher(options, log).PushLayoutAsync(layout.Path, reg.Host, "site", new[] { "1" }, _ => "base", Cancel);
        Assert.Equal((0, 3, 0), (result.Sent, result.Mounted, result.Present));
        Assert.Contains(log.Lines, l => l.Contains("mounted from 'base'"));
        var skopeo = Tools.Require("skopeo");
        Tools.Run(skopeo, "inspect", "--tls-verify=false", $"docker://{reg.Host}/site:1").EnsureSuccess("skopeo inspect of the mounted image");
    }

    [Fact]
    public async Task Pull_by_tag_downloads_once_and_a_digest_pinned_pull_needs_no_registry()
    {
        using var dir = new TempDir("pull");
        var layout = TestLayout.Create(dir.Combine("layout"), "v1", 5000, 1_000_000);
        var store = new BlobStore(dir.Combine("cache"));
        PulledImage pulled;
        await using (var reg = await RegistryServer.StartAsync())
        {
            var options = TestRegistryOptions.Plain(reg, dir.Combine("home"));
            await new ImagePusher(options, new TranscriptLog()).PushLayoutAsync(layout.Path, reg.Host, "lib/base", null, cancel: Cancel);
            var log = new TranscriptLog();
            var puller = new ImagePuller(options, store, log);
            pulled = await puller.PullAsync(RegistryReference.Parse($"docker://{reg.Host}/lib/base:v1"), Platform.Parse("linux/amd64"), Cancel);
            Assert.Equal(layout.Digest, pulled.Digest);
            Assert.Contains(log.Lines, l => l.Contains("3 of 3 blobs downloaded"));
            foreach (var layer in layout.Manifest.Layers)
                Assert.Equal(File.ReadAllBytes(layout.BlobPath(layer.Digest)), File.ReadAllBytes(store.PathOf(layer.Digest)));

            var again = new TranscriptLog();
            await new ImagePuller(options, store, again).PullAsync(RegistryReference.Parse($"docker://{reg.Host}/lib/base:v1"), Platform.Parse("linux/amd64"), Cancel);
            Assert.Contains(again.Lines, l => l.Contains("0 of 3 blobs downloaded"));
        }
        // The registry is gone: pinned by digest, the cached image is all there is to read.
        var offline = new TranscriptLog();
        var pinned = await new ImagePuller(TestRegistryOptions.For(dir.Combine("home")), store, offline)
            .PullAsync(pulled.Reference, Platform.Parse("linux/amd64"), Cancel);
        Assert.Equal(layout.Digest, pinned.Digest);
        Assert.Equal(pulled.LayerPaths, pinned.LayerPaths);
        Assert.Contains(offline.Lines, l => l.Contains("no request made"));
    }

    [Fact]
    public async Task An_image_skopeo_copied_in_is_pulled_and_a_missing_tag_is_a_coded_error()
    {
        using var dir = new TempDir("skopeo");
        await using var reg = await RegistryServer.StartAsync();
        var skopeo = Tools.Require("skopeo");
        var layout = TestLayout.Create(dir.Combine("layout"), "v2");
        Tools.Run(skopeo, "copy", "--dest-tls-verify=false", $"oci:{layout.Path}:v2", $"docker://{reg.Host}/copied:v2").EnsureSuccess("skopeo copy");
        var options = TestRegistryOptions.Plain(reg, dir.Combine("home"));
        var store = new BlobStore(dir.Combine("cache"));
        var pulled = await new ImagePuller(options, store, new TranscriptLog())
            .PullAsync(RegistryReference.Parse($"docker://{reg.Host}/copied:v2"), Platform.Parse("linux/amd64"), Cancel);
        Assert.Equal(layout.Manifest.Layers.Select(l => l.Digest), pulled.Parsed.Layers.Select(l => l.Digest));
        Assert.True(File.Exists(pulled.ConfigPath));

        var missing = await Assert.ThrowsAsync<ContainerSdkException>(() => new ImagePuller(options, store, new TranscriptLog())
            .PullAsync(RegistryReference.Parse($"docker://{reg.Host}/copied:nope"), Platform.Parse("linux/amd64"), Cancel));
        Assert.Equal(Codes.RegistryNotFound, missing.Code);
        Assert.Contains(reg.Host, missing.Message);
        Assert.Contains("'copied'", missing.Message);
        Assert.Contains("404", missing.Message);
    }

    [Fact]
    public async Task A_multi_platform_index_resolves_to_ContainerPlatform()
    {
        using var dir = new TempDir("index");
        await using var reg = await RegistryServer.StartAsync();
        var options = TestRegistryOptions.Plain(reg, dir.Combine("home"));
        var amd = TestLayout.Create(dir.Combine("amd"));
        var arm = TestLayout.Create(dir.Combine("arm"));
        var pusher = new ImagePusher(options, new TranscriptLog());
        await pusher.PushLayoutAsync(amd.Path, reg.Host, "multi", Array.Empty<string>(), cancel: Cancel);
        await pusher.PushLayoutAsync(arm.Path, reg.Host, "multi", Array.Empty<string>(), cancel: Cancel);
        var index = new ImageIndex
        {
            Manifests = new[]
            {
                arm.ManifestDescriptor with { Platform = new Platform("linux", "arm64", "v8") },
                amd.ManifestDescriptor with { Platform = new Platform("linux", "amd64") },
            },
        };
        using (var client = new RegistryClient(reg.Host, options, new TranscriptLog()))
            await client.PutManifestAsync("multi", "all", index.ToJson(), MediaTypes.ImageIndex, Cancel);

        var store = new BlobStore(dir.Combine("cache"));
        var reference = RegistryReference.Parse($"docker://{reg.Host}/multi:all");
        Assert.Equal(arm.Digest, (await new ImagePuller(options, store, new TranscriptLog()).PullAsync(reference, Platform.Parse("linux/arm64"), Cancel)).Digest);
        Assert.Equal(amd.Digest, (await new ImagePuller(options, store, new TranscriptLog()).PullAsync(reference, Platform.Parse("linux/amd64"), Cancel)).Digest);
        var none = await Assert.ThrowsAsync<ContainerSdkException>(() =>
            new ImagePuller(options, store, new TranscriptLog()).PullAsync(reference, Platform.Parse("linux/s390x"), Cancel));
        Assert.Equal(Codes.ImagePlatformNotFound, none.Code);
    }
}
