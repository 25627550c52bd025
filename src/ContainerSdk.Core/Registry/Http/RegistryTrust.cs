using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ContainerSdk.Core.Registry;

/// <summary>
/// Certificate checks for one registry: the system's trust store, plus the CA files podman and docker keep for this
/// registry alone (<c>&lt;root&gt;/&lt;host[:port]&gt;/*.crt</c>); nothing at all for an insecure registry. Storage
/// servers a registry redirects to are held to the system store only: the registry's private CA vouches for it alone.
/// </summary>
internal sealed class RegistryTrust
{
    private readonly string _registryHostName;
    private readonly bool _insecure;
    private readonly X509Certificate2Collection _extraRoots = new();

    public RegistryTrust(string registry, bool insecure, IEnumerable<string> certificateDirectories)
    {
        _registryHostName = HostName(registry);
        _insecure = insecure;
        foreach (var root in certificateDirectories)
        {
            var folder = Path.Combine(root, registry);
            if (!Directory.Exists(folder)) continue;
            foreach (var file in Directory.EnumerateFiles(folder, "*.crt").Order(StringComparer.Ordinal))
                _extraRoots.ImportFromPemFile(file);
        }
    }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        string target = (sender as SslStream)?.TargetHostName ?? "";
        bool isRegistry = string.Equals(target, _registryHostName, StringComparison.OrdinalIgnoreCase);
        if (isRegistry && _insecure) return true;
        if (errors == SslPolicyErrors.None) return true;
        // Only an unknown issuer can be fixed by the extra roots; a wrong host name or a missing certificate cannot.
        if (!isRegistry || errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null || _extraRoots.Count == 0) return false;
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_extraRoots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
            foreach (var element in chain.ChainElements) custom.ChainPolicy.ExtraStore.Add(element.Certificate);
        return custom.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
    }

    /// <summary>"host:5000" → "host", "[::1]:5000" → "::1": what TLS compares the certificate with.</summary>
    internal static string HostName(string registry)
    {
        if (registry.StartsWith('['))
        {
            int end = registry.IndexOf(']');
            return end > 0 ? registry[1..end] : registry;
        }
        int colon = registry.LastIndexOf(':');
        return colon >= 0 ? registry[..colon] : registry;
    }
}
