using System.Diagnostics;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Tests.Registry;

/// <summary>A registry that fails, throttles, drops connections or stalls (FaultProxy in front of a real docker-registry).</summary>
[Trait("Category", "EndToEnd")]
public sealed class RegistryFaultTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;
    private static readonly Platform Amd64 = Platform.Parse("linux/amd64");

    /// <summary>A registry holding one pushed image ("site:1"), a proxy in front of it, and options that reach the proxy.</summary>
    private sealed class Setup : IAsyncDisposable
    {
        public required TempDir Dir { get; init; }
        public required RegistryServer Registry { get; init; }
        public required FaultProxy Proxy { get; init; }
        public required TestLayout Layout { get; init; }
        public required RegistryOptions Options { get; init; }
        public RegistryReference Reference => RegistryReference.Parse($"docker://{Proxy.Host}/site:1");
        public BlobStore Store => new(Dir.Combine("cache"));

        public static async Task<Setup> StartAsync(FaultPlan plan, Func<RegistryOptions, RegistryOptions>? adjust = null, bool push = true)
        {
            var dir = new TempDir("fault");
            var registry = await RegistryServer.StartAsync();
            var layout = TestLayout.Create(dir.Combine("layout"), "1", 4000, 700_000);
            if (push)
                await new ImagePusher(TestRegistryOptions.Plain(registry, dir.Combine("home")), new TranscriptLog())
                    .PushLayoutAsync(layout.Path, registry.Host, "site", null, cancel: Cancel);
            var proxy = await FaultProxy.StartAsync(registry.Host, plan);
            var options = TestRegistryOptions.For(dir.Combine("home"), insecure: new[] { proxy.Host });
            return new Setup { Dir = dir, Registry = registry, Proxy = proxy, Layout = layout, Options = adjust?.Invoke(options) ?? options };
        }

        public int Count(string method, string pathPart) => Proxy.Requests.Count(r => r.Method == method && r.PathAndQuery.Contains(pathPart));

        public async ValueTask DisposeAsync()
        {
            await Proxy.DisposeAsync();
            await Registry.DisposeAsync();
            Dir.Dispose();
        }
    }

    [Fact]
    public async Task Busy_throttling_and_dropped_connections_are_retried_until_the_pull_succeeds()
    {
        var layer = "blobs/sha256:";
        var plan = new FaultPlan()
            .Fail("GET", "/manifests/", 503, times: 2)
            .Fail("GET", layer, 429, times: 1, retryAfter: TimeSpan.FromSeconds(1))
            .Reset("GET", layer, times: 1, afterBodyBytes: 1000)
            .Reset("GET", layer, times: 1);
        await using var s = await Setup.StartAsync(plan);
        var log = new TranscriptLog();
        var clock = Stopwatch.StartNew();
        var pulled = await new ImagePuller(s.Options, s.Store, log).PullAsync(s.Reference, Amd64, Cancel);
        Assert.Equal(s.Layout.Digest, pulled.Digest);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), "Retry-After: 1 was not honoured");
        Assert.Equal(3, s.Count("GET", "/manifests/"));
        Assert.All(plan.Rules, r => Assert.Equal(0, r.Left));
        foreach (var layerDescriptor in s.Layout.Manifest.Layers)
            Assert.Equal(File.ReadAllBytes(s.Layout.BlobPath(layerDescriptor.Digest)), File.ReadAllBytes(s.Store.PathOf(layerDescriptor.Digest)));
        Assert.Contains(log.Lines, l => l.Contains("attempt 2 of 4"));
    }

    [Fact]
    public async Task A_registry_that_keeps_failing_is_a_coded_error_naming_it_and_nothing_is_kept()
    {
        await using var s = await Setup.StartAsync(new FaultPlan().Fail("GET", "/blobs/", 503, times: FaultPlan.Always));
        var e = await Assert.ThrowsAsync<ContainerSdkException>(() => new ImagePuller(s.Options, s.Store, new TranscriptLog()).PullAsync(s.Reference, Amd64, Cancel));
        Assert.Equal(Codes.RegistryRequestFailed, e.Code);
        Assert.Contains($"Registry {s.Proxy.Host}, repository 'site', pull blob sha256:", e.Message);
        Assert.Contains("HTTP 503", e.Message);
        Assert.Contains("after 4 attempts", e.Message);
        Assert.DoesNotContain("   at ", e.Message);
        // No blob made it into the store, and no temporary file was left behind.
        Assert.All(s.Layout.Manifest.Layers, l => Assert.False(File.Exists(s.Store.PathOf(l.Digest))));
        Assert.DoesNotContain(Directory.GetFiles(s.Dir.Combine("cache"), "*", SearchOption.AllDirectories), f => Path.GetFileName(f).StartsWith(".csdk-tmp-"));
    }

    [Fact]
    public async Task Connections_reset_every_time_are_a_coded_unreachable_error_and_a_push_leaves_the_layout_as_it_was()
    {
        await using var s = await Setup.StartAsync(new FaultPlan().Reset("*", "/manifests/", times: FaultPlan.Always), push: false);
        var before = Directory.GetFiles(s.Layout.Path, "*", SearchOption.AllDirectories).Select(f => (f, File.GetLastWriteTimeUtc(f))).ToList();
        var e = await Assert.ThrowsAsync<ContainerSdkException>(() => new ImagePusher(s.Options, new TranscriptLog())
            .PushLayoutAsync(s.Layout.Path, s.Proxy.Host, "site", new[] { "1" }, cancel: Cancel));
        Assert.Equal(Codes.RegistryUnreachable, e.Code);
        Assert.Contains("push manifest '1'", e.Message);
        Assert.Equal(before, Directory.GetFiles(s.Layout.Path, "*", SearchOption.AllDirectories).Select(f => (f, File.GetLastWriteTimeUtc(f))).ToList());
        // Every blob went in before the manifest was tried.
        Assert.Equal(3, s.Count("PUT", "/blobs/uploads/"));
    }

    [Fact]
    public async Task A_registry_too_slow_to_answer_is_timed_out_and_asked_again()
    {
        await using var s = await Setup.StartAsync(new FaultPlan().Delay("GET", "/manifests/", TimeSpan.FromSeconds(3)),
            o => o with { ResponseTimeout = TimeSpan.FromSeconds(1) });
        var pulled = await new ImagePuller(s.Options, s.Store, new TranscriptLog()).PullAsync(s.Reference, Amd64, Cancel);
        Assert.Equal(s.Layout.Digest, pulled.Digest);
    }

    [Fact]
    public async Task A_blob_whose_body_stops_midway_is_given_up_after_the_idle_timeout_and_pulled_again()
    {
        // The stall falls inside the first of the download's 1 MiB buffers, which is being filled read by read.
        await using var s = await Setup.StartAsync(new FaultPlan(), o => o with { ReadIdleTimeout = TimeSpan.FromSeconds(1) });
        var large = s.Layout.Manifest.Layers.MaxBy(l => l.Size)!;
        Assert.True(large.Size > 200_000);
        s.Proxy.Plan.StallBody("GET", "/blobs/" + large.Digest, afterBodyBytes: 100_000);
        var clock = Stopwatch.StartNew();
        var pulled = await new ImagePuller(s.Options, s.Store, new TranscriptLog()).PullAsync(s.Reference, Amd64, Cancel);
        Assert.Equal(s.Layout.Digest, pulled.Digest);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"the pull took {clock.Elapsed}: the stalled body was not waited for");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the pull took {clock.Elapsed}: the stall was not cut at the idle timeout");
        Assert.Equal(0, s.Proxy.Plan.Rules[0].Left);
        Assert.Equal(2, s.Count("GET", "/blobs/" + large.Digest));
        // Every layer is there, digest-checked; the stalled download left no temporary file.
        Assert.All(s.Layout.Manifest.Layers, l => Assert.NotNull(s.Store.Find(l)));
        Assert.DoesNotContain(Directory.GetFiles(s.Dir.Combine("cache"), "*", SearchOption.AllDirectories), f => Path.GetFileName(f).StartsWith(".csdk-tmp-"));
    }

    [Fact]
    public async Task An_upload_slower_than_the_response_timeout_goes_through_while_it_keeps_moving()
    {
        // 24 MiB taken at 6 MiB/s: about 4 s on the wire, twice the response timeout, with no pause longer than a moment.
        await using var s = await Setup.StartAsync(new FaultPlan().SlowBody("PUT", "/blobs/uploads/", 6 << 20),
            o => o with { ResponseTimeout = TimeSpan.FromSeconds(2), MaxParallelTransfers = 1 }, push: false);
        var layout = TestLayout.Create(s.Dir.Combine("big"), "1", 24 << 20);
        var clock = Stopwatch.StartNew();
        var result = await new ImagePusher(s.Options, new TranscriptLog()).PushLayoutAsync(layout.Path, s.Proxy.Host, "slow", new[] { "1" }, cancel: Cancel);
        Assert.Equal(layout.Digest, result.Digest);
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(3), $"the upload took {clock.Elapsed}, not longer than the response timeout: nothing was tested");
        // Each blob went up once: none was cut off and sent again.
        Assert.Equal(2, s.Count("PUT", "/blobs/uploads/"));
    }

    [Fact]
    public async Task A_registry_that_takes_chunks_only_gets_chunks_of_at_least_its_minimum()
    {
        const long min = 128 * 1024;
        await using var s = await Setup.StartAsync(new FaultPlan().RequireChunkedUploads(min), o => o with { ChunkSize = 16 * 1024, MaxParallelTransfers = 1 },
            push: false);
        var layout = TestLayout.Create(s.Dir.Combine("big"), "1", 900_000, 1_500_000);
        var result = await new ImagePusher(s.Options, new TranscriptLog()).PushLayoutAsync(layout.Path, s.Proxy.Host, "chunky", new[] { "1" }, cancel: Cancel);
        Assert.Equal((layout.Digest, 3), (result.Digest, result.Sent));
        // One monolithic attempt was refused; the registry's minimum beat our smaller chunk size for every blob after it.
        Assert.Equal(1, s.Proxy.Requests.Count(r => r.Method == "PUT" && r.Status == 413));
        Assert.DoesNotContain(s.Proxy.Requests, r => r.Status == 416);
        long bytes = layout.Manifest.Layers.Sum(l => l.Size) + layout.Manifest.Config.Size;
        Assert.InRange(s.Count("PATCH", "/blobs/uploads/"), 3, 3 + bytes / min);
        var skopeo = Tools.Require("skopeo");
        var raw = Tools.Run(skopeo, "inspect", "--tls-verify=false", "--raw", $"docker://{s.Registry.Host}/chunky:1").EnsureSuccess("skopeo inspect");
        Assert.Equal(layout.Digest, Digest.Compute(System.Text.Encoding.UTF8.GetBytes(raw.StdOut)));
    }
}
