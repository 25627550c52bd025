using System.Net;
using System.Security.Cryptography;
using ContainerSdk.Tests.Registry;

namespace ContainerSdk.Tests.RegistryFixture;

/// <summary>The fault proxy in front of a real registry: each rule does what it says, as often as it says.</summary>
[Trait("Category", "EndToEnd")]
public sealed class FaultProxyTests
{
    private const string Repo = "selftest/blob";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HttpClient Client(FaultProxy proxy, TimeSpan? timeout = null, HttpMessageHandler? handler = null) =>
        new(handler ?? new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = proxy.BaseUri, Timeout = timeout ?? TimeSpan.FromSeconds(20),
        };

    private static string Digest(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Starts an upload session; returns the Location to continue it at (and the response's headers).</summary>
    private static async Task<HttpResponseMessage> StartUploadAsync(HttpClient client)
    {
        var started = await client.PostAsync($"v2/{Repo}/blobs/uploads/", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        return started;
    }

    private static string WithDigest(Uri location, byte[] blob) =>
        location + (location.Query.Length > 0 ? "&" : "?") + "digest=" + Uri.EscapeDataString(Digest(blob));

    private static async Task PushMonolithicAsync(HttpClient client, byte[] blob)
    {
        using var started = await StartUploadAsync(client);
        Assert.Equal(client.BaseAddress!.GetLeftPart(UriPartial.Authority), started.Headers.Location!.GetLeftPart(UriPartial.Authority));
        using var put = await client.PutAsync(WithDigest(started.Headers.Location!, blob), new ByteArrayContent(blob), Ct);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    [Fact]
    public async Task Fail_fires_as_often_as_asked_with_retry_after_and_reset_drops_the_connection()
    {
        await using var reg = await RegistryServer.StartAsync();
        await using var proxy = await FaultProxy.StartAsync(reg.Host, new FaultPlan()
            .Fail("GET", "^/v2/$", 503, times: 1, retryAfter: TimeSpan.FromSeconds(1.5))
            .Fail("*", "/tags/list", 429, times: 2)
            .Reset("GET", "^/v2/$", times: 1));
        using var client = Client(proxy);

        using (var unavailable = await client.GetAsync("v2/", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), unavailable.Headers.RetryAfter!.Delta);
            Assert.Contains("UNAVAILABLE", await unavailable.Content.ReadAsStringAsync(Ct));
        }
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("v2/", Ct));
        using (var ok = await client.GetAsync("v2/", Ct)) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        foreach (var expected in new[] { 429, 429, 404 })
            using (var tags = await client.GetAsync($"v2/{Repo}/tags/list", Ct))
                Assert.Equal(expected, (int)tags.StatusCode);

        Assert.Equal(
            [("GET", "/v2/", 503), ("GET", "/v2/", 0), ("GET", "/v2/", 200), ("GET", $"/v2/{Repo}/tags/list", 429),
             ("GET", $"/v2/{Repo}/tags/list", 429), ("GET", $"/v2/{Repo}/tags/list", 404)],
            proxy.Requests.Select(r => (r.Method, r.PathAndQuery, r.Status)));
        Assert.Equal([FaultKind.Fail, FaultKind.Reset, null, FaultKind.Fail, FaultKind.Fail, null], proxy.Requests.Select(r => r.Fault));
        Assert.All(proxy.Plan.Rules, r => Assert.Equal(0, r.Left));
    }

    [Fact]
    public async Task Blob_faults_corrupt_cut_loop_downgrade_and_never_end()
    {
        await using var reg = await RegistryServer.StartAsync();
        var blob = RandomNumberGenerator.GetBytes(300_000);
        var path = $"/v2/{Repo}/blobs/{Digest(blob)}";
        await using var proxy = await FaultProxy.StartAsync(reg.Host, new FaultPlan()
            .CorruptBody("GET", "/blobs/sha256:", times: 1)
            .Reset("GET", "/blobs/sha256:", times: 1, afterBodyBytes: 100_000)
            .RedirectLoop("GET", "/blobs/sha256:", times: 1)
            .DowngradeLocation("GET", "/blobs/sha256:", times: 1)
            .EndlessBody("GET", "/blobs/sha256:", times: 1)
            .Delay("GET", "/blobs/sha256:", TimeSpan.FromSeconds(2), times: 1));
        using var client = Client(proxy);
        await PushMonolithicAsync(client, blob);
        // The registry's upload Location came back pointing at the proxy: the PUT went through it.
        Assert.Equal(["POST", "PUT"], proxy.Requests.Select(r => r.Method));
        Assert.All(proxy.Requests, r => Assert.Equal(proxy.Host, r.Listener));

        var corrupt = await client.GetByteArrayAsync(path, Ct);
        Assert.Equal(blob.Length, corrupt.Length);
        Assert.NotEqual(Digest(blob), Digest(corrupt));

        await Assert.ThrowsAnyAsync<Exception>(() => client.GetByteArrayAsync(path, Ct)); // reset 100 kB in

        using (var loop = await client.GetAsync(path, Ct))
        {
            Assert.Equal(HttpStatusCode.TemporaryRedirect, loop.StatusCode);
            Assert.Equal(new Uri(proxy.BaseUri, path), loop.Headers.Location);
        }

        Uri downgraded;
        using (var downgrade = await client.GetAsync(path, Ct))
        {
            Assert.Equal(HttpStatusCode.TemporaryRedirect, downgrade.StatusCode);
            downgraded = downgrade.Headers.Location!;
            Assert.Equal($"http://{proxy.DowngradeHost}{path}", downgraded.ToString());
        }
        using (var followed = new HttpRequestMessage(HttpMethod.Get, downgraded) { Headers = { Authorization = new("Bearer", "secret") } })
            Assert.Equal(Digest(blob), Digest(await (await client.SendAsync(followed, Ct)).Content.ReadAsByteArrayAsync(Ct)));
        Assert.Contains(proxy.Requests, r => r.Listener == proxy.DowngradeHost && r.HadAuthorization && r.Status == 200);

        using (var endless = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, endless.StatusCode);
            Assert.Null(endless.Content.Headers.ContentLength);
            await using var body = await endless.Content.ReadAsStreamAsync(Ct);
            var buffer = new byte[1 << 20];
            long read = 0;
            while (read < 8L * blob.Length) read += await body.ReadAsync(buffer, Ct) is > 0 and var n ? n : throw new EndOfStreamException();
        }

        using var impatient = Client(proxy, TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAsync<TaskCanceledException>(() => impatient.GetAsync(path, Ct));
        Assert.Equal(Digest(blob), Digest(await client.GetByteArrayAsync(path, Ct))); // every rule spent: plain forwarding
    }

    [Fact]
    public async Task Chunked_uploads_are_required_with_a_minimum_chunk_except_the_last()
    {
        await using var reg = await RegistryServer.StartAsync();
        await using var proxy = await FaultProxy.StartAsync(reg.Host, new FaultPlan().RequireChunkedUploads(1024));
        using var client = Client(proxy);
        var blob = RandomNumberGenerator.GetBytes(2500);

        using var first = await StartUploadAsync(client);
        Assert.Equal("1024", first.Headers.GetValues("OCI-Chunk-Min-Length").Single());
        using (var monolithic = await client.PutAsync(WithDigest(first.Headers.Location!, blob), new ByteArrayContent(blob), Ct))
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, monolithic.StatusCode);

        async Task<HttpResponseMessage> PatchAsync(Uri location, int from, int count)
        {
            var chunk = new ByteArrayContent(blob, from, count);
            chunk.Headers.ContentRange = null;
            chunk.Headers.TryAddWithoutValidation("Content-Range", $"{from}-{from + count - 1}");
            chunk.Headers.ContentType = new("application/octet-stream");
            return await client.PatchAsync(location, chunk, Ct);
        }

        // Too short a chunk that was not the last: the chunk after it is refused.
        using var second = await StartUploadAsync(client);
        using var small = await PatchAsync(second.Headers.Location!, 0, 100);
        Assert.Equal(HttpStatusCode.Accepted, small.StatusCode);
        using (var after = await PatchAsync(small.Headers.Location!, 100, 1024))
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, after.StatusCode);

        // Chunks of at least the minimum, a short last one, and a PUT without body: accepted, and the blob is there.
        using var third = await StartUploadAsync(client);
        using var a = await PatchAsync(third.Headers.Location!, 0, 1024);
        using var b = await PatchAsync(a.Headers.Location!, 1024, 1024);
        using var c = await PatchAsync(b.Headers.Location!, 2048, blob.Length - 2048);
        Assert.All(new[] { a, b, c }, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        using (var done = await client.PutAsync(WithDigest(c.Headers.Location!, blob), null, Ct))
            Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        Assert.Equal(Digest(blob), Digest(await client.GetByteArrayAsync($"v2/{Repo}/blobs/{Digest(blob)}", Ct)));
    }

    [Fact]
    public async Task In_front_of_a_tls_registry_the_proxy_speaks_tls_downgrades_and_redirects_to_storage()
    {
        await using var reg = await RegistryServer.StartAsync(new RegistryServerOptions { Tls = true, Users = TestUsers.All });
        var blob = RandomNumberGenerator.GetBytes(1000);
        var path = $"/v2/{Repo}/blobs/{Digest(blob)}";
        await using var proxy = await FaultProxy.StartAsync(reg, new FaultPlan()
            .DowngradeLocation("GET", "/blobs/sha256:", times: 1)
            .RedirectToStorage("GET", "/blobs/sha256:", times: 1));
        Assert.Equal($"https://{proxy.Host}/", proxy.BaseUri.ToString());
        using var client = Client(proxy, handler: reg.CertificateAuthority!.CreateTrustingHandler());
        client.DefaultRequestHeaders.Authorization = TestUsers.Basic("alice", "wonder-land");
        await PushMonolithicAsync(client, blob);

        using var downgrade = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.TemporaryRedirect, downgrade.StatusCode);
        Assert.Equal($"http://{proxy.DowngradeHost}{path}", downgrade.Headers.Location!.ToString());
        Assert.Equal([201], proxy.Requests.Where(r => r.Method == "PUT").Select(r => r.Status));

        // A pre-signed storage URL: served without credentials (the registry wants them: the signature stands in).
        using var redirected = await client.GetAsync(path, Ct);
        var storage = redirected.Headers.Location!;
        Assert.Equal($"https://{proxy.StorageHost}", storage.GetLeftPart(UriPartial.Authority));
        using var anonymous = Client(proxy, handler: reg.CertificateAuthority.CreateTrustingHandler());
        Assert.Equal(Digest(blob), Digest(await anonymous.GetByteArrayAsync(storage, Ct)));
        using (var forged = await anonymous.GetAsync(System.Text.RegularExpressions.Regex.Replace(storage.ToString(), "signature=[0-9a-f]+", "signature=0"), Ct))
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal([(200, false), (403, false)], proxy.Requests.Where(r => r.Listener == proxy.StorageHost).Select(r => (r.Status, r.HadAuthorization)));
    }
}
