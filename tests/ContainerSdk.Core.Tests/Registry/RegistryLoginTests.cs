using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Tests.Registry;

/// <summary>Logging in to a real registry (htpasswd) with what skopeo login stores, and TLS from a private CA.</summary>
[Trait("Category", "EndToEnd")]
public sealed class RegistryLoginTests
{
    private const string Password = "s3cret-pa55";
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Credentials_stored_by_skopeo_login_push_and_pull_and_a_wrong_password_is_refused_without_showing_it()
    {
        using var dir = new TempDir("login");
        await using var reg = await RegistryServer.StartAsync(new RegistryServerOptions { Users = new Dictionary<string, string> { ["ci"] = Password } });
        var skopeo = Tools.Require("skopeo");
        var authFile = dir.Combine("auth.json");
        Tools.Run(skopeo, new[] { "login", "--tls-verify=false", "--authfile", authFile, "-u", "ci", "--password-stdin", reg.Host },
            stdin: System.Text.Encoding.UTF8.GetBytes(Password)).EnsureSuccess("skopeo login");
        var layout = TestLayout.Create(dir.Combine("layout"));
        var variables = new Dictionary<string, string> { ["REGISTRY_AUTH_FILE"] = authFile };
        var log = new TranscriptLog();
        var options = TestRegistryOptions.Plain(reg, dir.Combine("home"), variables);
        var pushed = await new ImagePusher(options, log).PushLayoutAsync(layout.Path, reg.Host, "private/site", new[] { "1" }, cancel: Cancel);
        Assert.Equal(layout.Digest, pushed.Digest);
        var pulled = await new ImagePuller(options, new BlobStore(dir.Combine("cache")), log)
            .PullAsync(RegistryReference.Parse($"docker://{reg.Host}/private/site:1"), Platform.Parse("linux/amd64"), Cancel);
        Assert.Equal(layout.Digest, pulled.Digest);
        Assert.DoesNotContain(Password, log.All);

        var anonymous = await Assert.ThrowsAsync<ContainerSdkException>(() => new ImagePuller(TestRegistryOptions.Plain(reg, dir.Combine("home")),
            new BlobStore(dir.Combine("cache2")), log).PullAsync(RegistryReference.Parse($"docker://{reg.Host}/private/site:1"), Platform.Parse("linux/amd64"), Cancel));
        Assert.Equal(Codes.RegistryUnauthorized, anonymous.Code);
        Assert.Contains("no credentials were found", anonymous.Message);

        var wrong = new Dictionary<string, string> { ["CONTAINERSDK_REGISTRY_USER"] = "ci", ["CONTAINERSDK_REGISTRY_PASSWORD"] = "wrong-" + Password };
        var refused = await Assert.ThrowsAsync<ContainerSdkException>(() => new ImagePusher(TestRegistryOptions.Plain(reg, dir.Combine("home"), wrong), log)
            .PushLayoutAsync(layout.Path, reg.Host, "private/site", new[] { "2" }, cancel: Cancel));
        Assert.Equal(Codes.RegistryUnauthorized, refused.Code);
        Assert.Contains("user 'ci' from the environment variables CONTAINERSDK_REGISTRY_USER", refused.Message);
        Assert.Contains("401", refused.Message);
        Assert.DoesNotContain(Password, refused.ToString());
        Assert.DoesNotContain(Password, log.All);
    }

    [Fact]
    public async Task A_registry_behind_a_private_CA_is_trusted_through_certs_d_and_refused_without_it()
    {
        using var dir = new TempDir("tls");
        await using var reg = await RegistryServer.StartAsync(new RegistryServerOptions { Tls = true });
        var layout = TestLayout.Create(dir.Combine("layout"));

        var untrusted = await Assert.ThrowsAsync<ContainerSdkException>(() => new ImagePusher(TestRegistryOptions.For(dir.Combine("home")), new TranscriptLog())
            .PushLayoutAsync(layout.Path, reg.Host, "site", new[] { "1" }, cancel: Cancel));
        Assert.Equal(Codes.RegistryTlsFailed, untrusted.Code);
        Assert.Contains($"/etc/containers/certs.d/{reg.Host}/ca.crt", untrusted.Message);

        var certsD = dir.Combine("certs.d");
        Directory.CreateDirectory(Path.Combine(certsD, reg.Host));
        File.Copy(reg.CaCertificatePath!, Path.Combine(certsD, reg.Host, "ca.crt"));
        var trusted = TestRegistryOptions.For(dir.Combine("home"), certificateDirectories: new[] { dir.Combine("elsewhere"), certsD });
        var pushed = await new ImagePusher(trusted, new TranscriptLog()).PushLayoutAsync(layout.Path, reg.Host, "site", new[] { "1" }, cancel: Cancel);
        Assert.Equal(layout.Digest, pushed.Digest);

        // Listed as insecure, the same registry is reached over TLS that is not verified (it is not downgraded to http).
        var insecure = TestRegistryOptions.For(dir.Combine("home"), insecure: new[] { reg.Host });
        var pulled = await new ImagePuller(insecure, new BlobStore(dir.Combine("cache")), new TranscriptLog())
            .PullAsync(RegistryReference.Parse($"docker://{reg.Host}/site:1"), Platform.Parse("linux/amd64"), Cancel);
        Assert.Equal(layout.Digest, pulled.Digest);
    }

    [Fact]
    public async Task A_plain_http_registry_listed_as_insecure_is_tried_over_https_once_per_build_and_falls_back_without_a_retry()
    {
        using var dir = new TempDir("plain-once");
        await using var reg = await RegistryServer.StartAsync();
        var layout = TestLayout.Create(dir.Combine("layout"));
        // Retries slow enough that one before the fallback would be seen in the log and the clock.
        var slowRetry = new RetryPolicy { BaseDelay = TimeSpan.FromSeconds(20), MaxDelay = TimeSpan.FromSeconds(20), MaxAttempts = 2 };
        var options = TestRegistryOptions.Plain(reg, dir.Combine("home")) with { Retry = slowRetry };
        var log = new TranscriptLog();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // A build's pull, push and cache lookups each make their own client, as here.
        await new ImagePusher(options, log).PushLayoutAsync(layout.Path, reg.Host, "site", new[] { "1" }, cancel: Cancel);
        var pulled = await new ImagePuller(options, new BlobStore(dir.Combine("cache")), log)
            .PullAsync(RegistryReference.Parse($"docker://{reg.Host}/site:1"), Platform.Parse("linux/amd64"), Cancel);
        Assert.Equal(layout.Digest, pulled.Digest);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"push and pull took {clock.Elapsed}");
        Assert.DoesNotContain("attempt 2", log.All);
        Assert.Single(log.Lines, l => l.Contains("does not speak TLS", StringComparison.Ordinal));

        // Another build (other options) finds out again.
        var next = new TranscriptLog();
        await new ImagePuller(TestRegistryOptions.Plain(reg, dir.Combine("home")), new BlobStore(dir.Combine("cache2")), next)
            .PullAsync(RegistryReference.Parse($"docker://{reg.Host}/site:1"), Platform.Parse("linux/amd64"), Cancel);
        Assert.Single(next.Lines, l => l.Contains("does not speak TLS", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_plain_http_registry_not_listed_as_insecure_is_not_spoken_to_in_clear_text()
    {
        using var dir = new TempDir("plain");
        await using var reg = await RegistryServer.StartAsync();
        var e = await Assert.ThrowsAsync<ContainerSdkException>(() => new ImagePuller(TestRegistryOptions.For(dir.Combine("home")),
            new BlobStore(dir.Combine("cache")), new TranscriptLog()).PullAsync(RegistryReference.Parse($"docker://{reg.Host}/site:1"), Platform.Parse("linux/amd64"), Cancel));
        Assert.Equal(Codes.RegistryTlsFailed, e.Code);
        Assert.Contains("ContainerInsecureRegistries", e.Message);
        Assert.Contains("plain HTTP", e.Message);
        // .NET's own words point at an inner exception the user never sees.
        Assert.DoesNotContain("inner exception", e.Message);
        Assert.DoesNotContain("frame size", e.Message);
    }
}
