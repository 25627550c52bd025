using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Registry;

/// <summary>
/// The TLS client certificates podman, skopeo and docker present to one registry: each <c>*.cert</c> in
/// <c>&lt;root&gt;/&lt;host[:port]&gt;/</c> with the <c>*.key</c> of the same name beside it (PEM). As there, a
/// certificate without its key, or a key without its certificate, is an error rather than a login that silently fails
/// later. Only the registry itself is shown a certificate, never a storage server it redirects to.
/// </summary>
internal sealed class ClientCertificates
{
    private readonly string _registryHostName;
    private readonly List<X509Certificate2> _certificates = new();

    public ClientCertificates(string registry, IEnumerable<string> certificateDirectories)
    {
        _registryHostName = RegistryTrust.HostName(registry);
        foreach (var root in certificateDirectories)
        {
            var folder = Path.Combine(root, registry);
            if (!Directory.Exists(folder)) continue;
            foreach (var key in Directory.EnumerateFiles(folder, "*.key"))
                if (!File.Exists(Path.ChangeExtension(key, ".cert")))
                    throw Unusable(registry, key, $"has no client certificate '{Path.GetFileNameWithoutExtension(key)}.cert' beside it");
            foreach (var certificate in Directory.EnumerateFiles(folder, "*.cert").Order(StringComparer.Ordinal))
            {
                var key = Path.ChangeExtension(certificate, ".key");
                if (!File.Exists(key))
                    throw Unusable(registry, certificate, $"has no key '{Path.GetFileName(key)}' beside it (CA certificates end in .crt)");
                try { _certificates.Add(X509Certificate2.CreateFromPemFile(certificate, key)); }
                catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
                {
                    // The message says which file, never what is in it: the key is a secret.
                    throw Unusable(registry, certificate, $"and its key '{Path.GetFileName(key)}' cannot be read as a PEM certificate and private key");
                }
            }
        }
    }

    /// <summary>The registry asked for a client certificate (naming the CAs it takes) and there was none to give. Under TLS
    /// 1.3 the refusal only comes after the handshake, as a failed read, which would otherwise look like a dropped connection.</summary>
    public bool AskedForWithoutOne { get; private set; }

    /// <summary>For the registry: the first certificate issued by a CA the server asks for (the first of all when it names
    /// none); for any other host, none (SslStream takes null as "no certificate", though the delegate is not annotated so).</summary>
    public X509Certificate Select(object sender, string targetHost, X509CertificateCollection localCertificates, X509Certificate? remoteCertificate,
        string[] acceptableIssuers)
    {
        if (!string.Equals(targetHost, _registryHostName, StringComparison.OrdinalIgnoreCase)) return null!;
        if (_certificates.Count == 0)
        {
            // SslStream also asks before the handshake, with no issuers: only the server's request names them.
            if (acceptableIssuers.Length > 0) AskedForWithoutOne = true;
            return null!;
        }
        return _certificates.FirstOrDefault(c => acceptableIssuers.Contains(c.Issuer, StringComparer.Ordinal)) ?? _certificates[0];
    }

    private static ContainerSdkException Unusable(string registry, string file, string why) =>
        new(Codes.RegistryTlsFailed, $"The client certificate setup for registry {registry} is unusable: '{file}' {why}.", file);
}
