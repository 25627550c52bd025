using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Tests.Registry;

/// <summary>
/// A registry that requires TLS client certificates (distribution's <c>http.tls.clientcas</c>), reached with the
/// <c>*.cert</c> + <c>*.key</c> pair podman, skopeo and docker read from <c>certs.d/&lt;host:port&gt;/</c>.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class RegistryClientCertificateTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>A certs.d root with the registry's CA (ca.crt) only.</summary>
    private static string CertsDWithCa(TempDir dir, RegistryServer reg)
    {
        var certsD = dir.Combine("certs.d");
        Directory.CreateDirectory(Path.Combine(certsD, reg.Host));
        File.Copy(reg.CaCertificatePath!, Path.Combine(certsD, reg.Host, "ca.crt"));
        return certsD;
    }

    [Fact]
    public async Task The_client_certificate_in_certs_d_pushes_and_pulls_and_skopeo_reads_the_same_folder()
    {
        using var dir = new TempDir("clientcert");
        await using var reg = await RegistryServer.StartAsync(new RegistryServerOptions { Tls = true, RequireClientCertificates = true });
        var layout = TestLayout.Create(dir.Combine("layout"));
        var certsD = CertsDWithCa(dir, reg);
        var options = TestRegistryOptions.For(dir.Combine("home"), certificateDirectories: new[] { certsD });

        // The CA alone: TLS is trusted, but the registry refuses a client without a certificate.
        var refused = await Assert.ThrowsAsync<ContainerSdkException>(() => new ImagePusher(options, new TranscriptLog())
            .PushLayoutAsync(layout.Path, reg.Host, "site", new[] { "1" }, cancel: Cancel));
        Assert.Equal(Codes.RegistryTlsFailed, refused.Code);
        Assert.Contains($"/etc/containers/certs.d/{reg.Host}/ as client.cert with its key client.key", refused.Message);

        using (var client = reg.CertificateAuthority!.IssueClientCertificate())
            TestCertificateAuthority.WritePem(client, Path.Combine(certsD, reg.Host, "client.cert"), Path.Combine(certsD, reg.Host, "client.key"));
        var log = new TranscriptLog();
        var pushed = await new ImagePusher(options, log).PushLayoutAsync(layout.Path, reg.Host, "site", new[] { "1" }, cancel: Cancel);
        Assert.Equal(layout.Digest, pushed.Digest);
        var pulled = await new ImagePuller(options, new BlobStore(dir.Combine("cache")), log)
            .PullAsync(RegistryReference.Parse($"docker://{reg.Host}/site:1"), Platform.Parse("linux/amd64"), Cancel);
        Assert.Equal(layout.Digest, pulled.Digest);
        Assert.DoesNotContain("PRIVATE KEY", log.All);

        // The same folder is what skopeo (containers/image) reads: the files are named as podman and skopeo name them.
        var skopeo = Tools.Require("skopeo");
        var inspected = Tools.Run(skopeo, "inspect", "--cert-dir", Path.Combine(certsD, reg.Host), "--format", "{{.Digest}}", $"docker://{reg.Host}/site:1")
            .EnsureSuccess("skopeo inspect --cert-dir");
        Assert.Equal(layout.Digest.ToString(), inspected.StdOut.Trim());
    }

    [Fact]
    public async Task A_client_certificate_without_its_key_or_a_key_without_its_certificate_is_a_coded_error_naming_the_file()
    {
        using var dir = new TempDir("clientcert-bad");
        await using var reg = await RegistryServer.StartAsync(new RegistryServerOptions { Tls = true, RequireClientCertificates = true });
        var layout = TestLayout.Create(dir.Combine("layout"));
        var certsD = CertsDWithCa(dir, reg);
        var folder = Path.Combine(certsD, reg.Host);
        using var client = reg.CertificateAuthority!.IssueClientCertificate();
        var options = TestRegistryOptions.For(dir.Combine("home"), certificateDirectories: new[] { certsD });
        Task Push() => new ImagePusher(options, new TranscriptLog()).PushLayoutAsync(layout.Path, reg.Host, "site", new[] { "1" }, cancel: Cancel);

        TestCertificateAuthority.WritePem(client, Path.Combine(folder, "client.cert"));
        var noKey = await Assert.ThrowsAsync<ContainerSdkException>(Push);
        Assert.Equal(Codes.RegistryTlsFailed, noKey.Code);
        Assert.Contains(Path.Combine(folder, "client.cert"), noKey.Message);
        Assert.Contains("client.key", noKey.Message);

        File.Move(Path.Combine(folder, "client.cert"), Path.Combine(folder, "other.crt"));
        TestCertificateAuthority.WritePem(client, Path.Combine(dir.Path, "unused.pem"), Path.Combine(folder, "client.key"));
        var noCertificate = await Assert.ThrowsAsync<ContainerSdkException>(Push);
        Assert.Equal(Codes.RegistryTlsFailed, noCertificate.Code);
        Assert.Contains(Path.Combine(folder, "client.key"), noCertificate.Message);
        Assert.DoesNotContain("PRIVATE KEY", noCertificate.Message);

        // A key that is not the certificate's: named, its content never shown.
        File.Delete(Path.Combine(folder, "other.crt"));
        using var another = reg.CertificateAuthority.IssueClientCertificate("CN=another");
        TestCertificateAuthority.WritePem(another, Path.Combine(folder, "client.cert"));
        var mismatch = await Assert.ThrowsAsync<ContainerSdkException>(Push);
        Assert.Equal(Codes.RegistryTlsFailed, mismatch.Code);
        Assert.Contains(Path.Combine(folder, "client.cert"), mismatch.Message);
        Assert.DoesNotContain("PRIVATE KEY", mismatch.ToString());
    }
}
