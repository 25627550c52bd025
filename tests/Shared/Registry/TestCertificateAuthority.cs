using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ContainerSdk.Tests.Registry;

/// <summary>
/// A throwaway CA for one fixture: it issues the registry's TLS certificate (SAN IP 127.0.0.1) and the token
/// server's signing certificate. Nothing of it ever reaches a system trust store.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private static readonly DateTimeOffset NotBefore = DateTimeOffset.UtcNow.AddHours(-1);
    private static readonly DateTimeOffset NotAfter = DateTimeOffset.UtcNow.AddDays(2);

    public TestCertificateAuthority()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ContainerSdk test CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Certificate = request.CreateSelfSigned(NotBefore, NotAfter);
    }

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>A TLS server certificate for 127.0.0.1 and localhost.</summary>
    public X509Certificate2 IssueServerCertificate()
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        return Issue("CN=127.0.0.1", X509KeyUsageFlags.DigitalSignature,
            new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false), san.Build());
    }

    /// <summary>A TLS client certificate, as a registry that requires them (<c>http.tls.clientcas</c>) takes from a client.</summary>
    public X509Certificate2 IssueClientCertificate(string subject = "CN=ContainerSdk test client") =>
        Issue(subject, X509KeyUsageFlags.DigitalSignature, new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.2") }, false));

    /// <summary>A certificate whose key signs bearer tokens; the registry checks it chains to this CA.</summary>
    public X509Certificate2 IssueSigningCertificate() =>
        Issue("CN=ContainerSdk test token issuer", X509KeyUsageFlags.DigitalSignature);

    private X509Certificate2 Issue(string subject, X509KeyUsageFlags usage, params X509Extension[] extensions)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        foreach (var extension in extensions) request.CertificateExtensions.Add(extension);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f; // a positive serial number
        using var issued = request.Create(Certificate, NotBefore, NotAfter.AddMinutes(-1), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        // A PKCS#12 round trip gives a key SslStream can use on every platform (ephemeral keys are not always enough).
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Writes a certificate (PEM) and, when a key file is named, its PKCS#8 private key (PEM).</summary>
    public static void WritePem(X509Certificate2 certificate, string certificatePath, string? keyPath = null)
    {
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
        if (keyPath is null) return;
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("certificate has no EC key");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    /// <summary>A handler that trusts exactly this CA (and no system root), as a registry client configured with it would.</summary>
    public SocketsHttpHandler CreateTrustingHandler()
    {
        var handler = new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, UseProxy = false };
        handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            CustomTrustStore = { X509CertificateLoader.LoadCertificate(Certificate.RawData) },
        };
        return handler;
    }

    public void Dispose() => Certificate.Dispose();
}
