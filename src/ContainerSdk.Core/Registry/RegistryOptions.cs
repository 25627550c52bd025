using ContainerSdk.Core.Registry.Credentials;

namespace ContainerSdk.Core.Registry;

/// <summary>How the build reaches registries: which hosts may skip TLS, where extra CAs live, credentials, retries and limits.</summary>
public sealed record RegistryOptions
{
    public static readonly IReadOnlyList<string> DefaultCertificateDirectories = new[] { "/etc/containers/certs.d", "/etc/docker/certs.d" };

    /// <summary>Hosts ("host[:port]") reached over plain HTTP or unverified TLS: ContainerInsecureRegistries and
    /// DOTNET_CONTAINER_INSECURE_REGISTRIES.</summary>
    public IReadOnlySet<string> InsecureRegistries { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Roots holding "&lt;host[:port]&gt;/*.crt" CA files that podman and docker trust for that registry only.</summary>
    public IReadOnlyList<string> CertificateDirectories { get; init; } = DefaultCertificateDirectories;

    public CredentialStore Credentials { get; init; } = CredentialStore.Default;

    /// <summary>Per build: whether an insecure registry answered over https or plain http (shared by every client made with
    /// these options, and by copies made with <c>with</c>).</summary>
    public RegistrySchemes Schemes { get; init; } = new();

    public RetryPolicy Retry { get; init; } = new();

    /// <summary>Blobs transferred at once (per push or pull): the network is the limit, not the cores.</summary>
    public int MaxParallelTransfers { get; init; } = 4;

    /// <summary>Distribution's own limit for a manifest: a larger one is hostile, not an image.</summary>
    public long MaxManifestSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>How long a request may wait for the response headers, counted from the last piece of its own body sent (an
    /// upload that keeps moving is never cut off); a stalled response body is bounded by <see cref="ReadIdleTimeout"/>.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(100);

    public TimeSpan ReadIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Chunk size of a chunked upload (raised to the registry's OCI-Chunk-Min-Length when that is larger).</summary>
    public long ChunkSize { get; init; } = 32 * 1024 * 1024;

    /// <summary>Hosts from a ';'-separated property plus DOTNET_CONTAINER_INSECURE_REGISTRIES (','- or ';'-separated, as the .NET SDK reads it).</summary>
    public static IReadOnlySet<string> ParseInsecureRegistries(string? property, string? environment)
    {
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var text in new[] { property, environment })
            foreach (var host in (text ?? "").Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                hosts.Add(host);
        return hosts;
    }

    public bool IsInsecure(string registry) => InsecureRegistries.Contains(registry);
}
