using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Tests.Registry;

/// <summary>A registry that lies: nothing it sends is trusted or kept, and the failure is coded, not a hang or a stack trace.</summary>
public sealed class HostileRegistryTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;
    private static readonly Platform Amd64 = Platform.Parse("linux/amd64");

    private static async Task<(ContainerSdkException Error, FaultProxy Proxy, TestLayout Layout, BlobStore Store)> PullThrough(TempDir dir, RegistryServer registry,
        FaultPlan plan, IReadOnlyDictionary<string, string>? variables = null)
    {
        var layout = TestLayout.Create(dir.Combine("layout"), "1", 3000, 600_000);
        await new ImagePusher(TestRegistryOptions.Plain(registry, dir.Combine("home"), variables), new TranscriptLog())
            .PushLayoutAsync(layout.Path, registry.Host, "site", null, cancel: Cancel);
        var proxy = await FaultProxy.StartAsync(registry.Host, plan);
        var store = new BlobStore(dir.Combine("cache"));
        var options = TestRegistryOptions.For(dir.Combine("home"), variables, insecure: new[] { proxy.Host });
        var error = await Assert.ThrowsAsync<ContainerSdkException>(() => new ImagePuller(options, store, new TranscriptLog())
            .PullAsync(RegistryReference.Parse($"docker://{proxy.Host}/site:1"), Amd64, Cancel));
        return (error, proxy, layout, store);
    }

    private static void AssertNothingKept(TempDir dir, TestLayout layout, BlobStore store)
    {
        Assert.All(layout.Manifest.Layers, l => Assert.False(File.Exists(store.PathOf(l.Digest)), $"layer {l.Digest} was kept"));
        if (Directory.Exists(dir.Combine("cache")))
            Assert.DoesNotContain(Directory.GetFiles(dir.Combine("cache"), "*", SearchOption.AllDirectories), f => Path.GetFileName(f).StartsWith(".csdk-tmp-"));
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public async Task A_blob_whose_bytes_do_not_match_its_digest_is_refused_at_once()
    {
        using var dir = new TempDir("hostile");
        await using var reg = await RegistryServer.StartAsync();
        var (e, proxy, layout, store) = await PullThrough(dir, reg, new FaultPlan().CorruptBody("GET", "/blobs/sha256:"));
        await using var _ = proxy;
        Assert.Equal(Codes.RegistryContentInvalid, e.Code);
        Assert.Contains("is not the one asked for", e.Message);
        AssertNothingKept(dir, layout, store);
    }

    [Trait("Category", "EndToEnd")]
    [Theory]
    [InlineData("/manifests/", "manifest")]
    [InlineData("/blobs/sha256:", "blob")]
    public async Task An_endless_body_is_cut_at_what_the_document_may_hold(string path, string what)
    {
        using var dir = new TempDir("hostile");
        await using var reg = await RegistryServer.StartAsync();
        var (e, proxy, layout, store) = await PullThrough(dir, reg, new FaultPlan().EndlessBody("GET", path));
        await using var _ = proxy;
        Assert.Equal(Codes.RegistryContentInvalid, e.Code);
        Assert.Contains($"registry's {what} sends more than", e.Message);
        AssertNothingKept(dir, layout, store);
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public async Task A_redirect_loop_is_refused()
    {
        using var dir = new TempDir("hostile");
        await using var reg = await RegistryServer.StartAsync();
        var (e, proxy, layout, store) = await PullThrough(dir, reg, new FaultPlan().RedirectLoop("GET", "/blobs/sha256:"));
        await using var _ = proxy;
        Assert.Equal(Codes.RegistryRedirectRejected, e.Code);
        Assert.InRange(proxy.Requests.Count(r => r.Status == 307), 1, 2 * RegistryConnection.MaxRedirects);
        AssertNothingKept(dir, layout, store);
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public async Task Authorization_is_never_sent_to_the_host_a_redirect_points_at()
    {
        using var dir = new TempDir("hostile");
        await using var reg = await RegistryServer.StartAsync(new RegistryServerOptions { Users = new Dictionary<string, string> { ["ci"] = "pw-for-ci" } });
        var login = new Dictionary<string, string> { ["CONTAINERSDK_REGISTRY_USER"] = "ci", ["CONTAINERSDK_REGISTRY_PASSWORD"] = "pw-for-ci" };
        var (e, proxy, _, _) = await PullThrough(dir, reg, new FaultPlan().DowngradeLocation("GET", "/blobs/sha256:"), login);
        await using var __ = proxy;
        var front = proxy.Requests.Where(r => r.Listener != proxy.DowngradeHost && r.PathAndQuery.Contains("/blobs/")).ToList();
        var other = proxy.Requests.Where(r => r.Listener == proxy.DowngradeHost).ToList();
        Assert.NotEmpty(front);
        Assert.All(front, r => Assert.True(r.HadAuthorization));
        Assert.NotEmpty(other);
        Assert.All(other, r => Assert.False(r.HadAuthorization, $"Authorization went to {proxy.DowngradeHost}{r.PathAndQuery}"));
        // That host wants credentials of its own: the pull fails, naming it, without the password.
        Assert.Equal(Codes.RegistryForeignChallenge, e.Code);
        Assert.Contains(proxy.DowngradeHost, e.Message);
        Assert.DoesNotContain("pw-for-ci", e.Message);
    }

    [Fact]
    public async Task A_redirect_from_https_to_http_is_refused()
    {
        using var dir = new TempDir("hostile");
        using var ca = new TestCertificateAuthority();
        using var certificate = ca.IssueServerCertificate();
        var requests = new List<string>();
        await using var server = new LoopbackHttpServer(async (exchange, cancel) =>
        {
            lock (requests) requests.Add(exchange.Request.Method + " " + exchange.Request.Target);
            var headers = exchange.Request.Path == "/v2/" ? Array.Empty<KeyValuePair<string, string>>()
                : new[] { new KeyValuePair<string, string>("Location", $"http://{exchange.ListenerHost}{exchange.Request.Target}") };
            await exchange.Connection.WriteResponseAsync(exchange.Request.Path == "/v2/" ? 200 : 307, headers, Array.Empty<byte>(), cancel,
                headOnly: exchange.Request.Method == "HEAD");
            return true;
        }, certificate);
        var certsD = dir.Combine("certs.d");
        Directory.CreateDirectory(Path.Combine(certsD, server.Host));
        TestCertificateAuthority.WritePem(ca.Certificate, Path.Combine(certsD, server.Host, "ca.crt"));
        var options = TestRegistryOptions.For(dir.Combine("home"), certificateDirectories: new[] { certsD });
        var e = await Assert.ThrowsAsync<ContainerSdkException>(() => new ImagePuller(options, new BlobStore(dir.Combine("cache")), new TranscriptLog())
            .PullAsync(RegistryReference.Parse($"docker://{server.Host}/site:1"), Amd64, Cancel));
        Assert.Equal(Codes.RegistryRedirectRejected, e.Code);
        Assert.Contains("from https to http", e.Message);
        Assert.Equal(new[] { "GET /v2/", "GET /v2/site/manifests/1" }, requests);
    }
}
