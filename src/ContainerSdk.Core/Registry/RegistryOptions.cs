using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Registry.Credentials;

namespace ContainerSdk.Core.Registry;

/// <summary>How the build reaches registries: which hosts may skip TLS, where extra CAs live, credentials, retries and limits.</summary>
internal sealed record RegistryOptions
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

    /// <summary>How often a long push logs a progress line (<see cref="ProgressTicker"/>).</summary>
    public TimeSpan ProgressInterval { get; init; } = ProgressTicker.DefaultInterval;

    /// <summary>Distribution's own limit for a manifest: a larger one is hostile, not an image.</summary>
    public long MaxManifestSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>ContainerRegistryTimeout when none is set: a silent server is given up within about a minute in all
    /// (<see cref="WaitBudgetPerOperation"/>), and a registry or token server that answers at all answers well within it.</summary>
    public static readonly TimeSpan DefaultResponseTimeout = TimeSpan.FromSeconds(20);

    /// <summary>ContainerRegistryTimeout: how long one request may wait without an answer (the response headers, counted from
    /// the last piece of its own body sent, so an upload that keeps moving is never cut off; or the next piece of a response
    /// body). A request that times out is tried again only while the operation's <see cref="OperationWaitBudget"/> lasts.</summary>
    public TimeSpan ResponseTimeout { get; init; } = DefaultResponseTimeout;

    /// <summary>How long a stalled response body is waited for; null: <see cref="ResponseTimeout"/>.</summary>
    public TimeSpan? ReadIdleTimeout { get; init; }

    internal TimeSpan BodyIdleTimeout => ReadIdleTimeout ?? ResponseTimeout;

    /// <summary>How many request timeouts one operation (a manifest, a blob with its token) may spend waiting on a silent
    /// server in all, retries included, before it fails with CSDK6011.</summary>
    public const int WaitBudgetPerOperation = 3;

    /// <summary>How long one operation may wait on silent servers in all: <see cref="WaitBudgetPerOperation"/> × <see cref="ResponseTimeout"/>.</summary>
    internal TimeSpan OperationWaitBudget => ResponseTimeout * WaitBudgetPerOperation;

    /// <summary>After this long without an answer the build says, at normal verbosity, which host it is waiting for (and
    /// again every twice as long).</summary>
    public TimeSpan WaitNoticeAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock tokens expire by and waits are measured with (a test's fake clock moves time on without sleeping).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

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
