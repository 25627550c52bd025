using System.Net;
using ContainerSdk.Tests.Registry;

namespace ContainerSdk.Tests.RegistryFixture;

/// <summary>The registry fixture itself: a real docker-registry, with each kind of transport and auth it offers.</summary>
[Trait("Category", "EndToEnd")]
public sealed class RegistryServerTests
{
    private static readonly Dictionary<string, string> Users = TestUsers.All;

    [Fact]
    public async Task Plain_registry_answers_v2_and_stops_on_dispose()
    {
        string storage;
        Uri v2;
        await using (var reg = await RegistryServer.StartAsync(new RegistryServerOptions()))
        {
            Assert.StartsWith("127.0.0.1:", reg.Host);
            Assert.Equal($"http://{reg.Host}/", reg.BaseUri.ToString());
            Assert.Null(reg.CaCertificatePath);
            using var client = reg.CreateHttpClient();
            using var response = await client.GetAsync("v2/", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("registry/2.0", response.Headers.GetValues("Docker-Distribution-API-Version").Single());
            storage = reg.StorageDirectory;
            v2 = new Uri(reg.BaseUri, "v2/");
        }
        Assert.False(Directory.Exists(Path.GetDirectoryName(storage)));
        using var after = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => after.GetAsync(v2, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Htpasswd_registry_refuses_missing_and_wrong_credentials_and_accepts_the_right_ones()
    {
        await using var reg = await RegistryServer.StartAsync(new RegistryServerOptions { Users = Users });
        using var client = reg.CreateHttpClient();
        var ct = TestContext.Current.CancellationToken;

        using var anonymous = await client.GetAsync("v2/", ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "v2/") { Headers = { Authorization = TestUsers.Basic("alice", "wrong") } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(wrong, ct)).StatusCode);

        foreach (var (user, password) in Users)
        {
            using var right = new HttpRequestMessage(HttpMethod.Get, "v2/") { Headers = { Authorization = TestUsers.Basic(user, password) } };
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(right, ct)).StatusCode);
        }
    }

    [Fact]
    public async Task Tls_registry_is_trusted_through_its_ca_only()
    {
        await using var reg = await RegistryServer.StartAsync(new RegistryServerOptions { Tls = true, Users = Users });
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal($"https://{reg.Host}/", reg.BaseUri.ToString());
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", await File.ReadAllTextAsync(reg.CaCertificatePath!, ct));

        // The CA from the PEM file, as a client would load it from certs.d.
        using var ca = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(reg.CaCertificatePath!);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.CertificateChainPolicy = new System.Security.Cryptography.X509Certificates.X509ChainPolicy
        {
            TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust,
            RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            CustomTrustStore = { ca },
        };
        using var trusting = new HttpClient(handler) { BaseAddress = reg.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Get, "v2/") { Headers = { Authorization = TestUsers.Basic("alice", "wonder-land") } };
        Assert.Equal(HttpStatusCode.OK, (await trusting.SendAsync(request, ct)).StatusCode);

        using var systemTrust = new HttpClient { BaseAddress = reg.BaseUri };
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => systemTrust.GetAsync("v2/", ct));
        Assert.IsType<System.Security.Authentication.AuthenticationException>(refused.InnerException);
    }
}
