using ContainerSdk.Core.Registry;
using ContainerSdk.Core.Registry.Credentials;

namespace ContainerSdk.Tests.Registry;

/// <summary>
/// Registry options for a test: its own home folder and variables (the machine's stored logins never leak in), no
/// system certs.d, fast retries.
/// </summary>
internal static class TestRegistryOptions
{
    public static readonly RetryPolicy FastRetry = new() { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200), MaxAttempts = 4 };

    public static CredentialEnvironment Environment(string home, IReadOnlyDictionary<string, string>? variables = null) =>
        new(name => variables is not null && variables.TryGetValue(name, out var v) ? v
            : name == "PATH" ? System.Environment.GetEnvironmentVariable("PATH") : null, home);

    public static RegistryOptions For(string home, IReadOnlyDictionary<string, string>? variables = null, IEnumerable<string>? insecure = null,
        IReadOnlyList<string>? certificateDirectories = null) => new()
    {
        InsecureRegistries = new HashSet<string>(insecure ?? Array.Empty<string>(), StringComparer.OrdinalIgnoreCase),
        CertificateDirectories = certificateDirectories ?? Array.Empty<string>(),
        Credentials = new CredentialStore(Environment(home, variables)),
        Retry = FastRetry,
    };

    /// <summary>Options for a plain-http fixture registry (insecure, as it must be listed).</summary>
    public static RegistryOptions Plain(RegistryServer registry, string home, IReadOnlyDictionary<string, string>? variables = null) =>
        For(home, variables, insecure: new[] { registry.Host });
}

/// <summary>A log that keeps every line, to assert what the user is told (and what never appears in it).</summary>
internal sealed class TranscriptLog : ContainerSdk.Core.Diagnostics.IBuildLog
{
    private readonly List<string> _lines = new();

    public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToArray(); } }
    public string All => string.Join("\n", Lines);

    public void Info(string message) { lock (_lines) _lines.Add("info: " + message); }
    public void Detail(string message) { lock (_lines) _lines.Add("detail: " + message); }
    public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) { lock (_lines) _lines.Add($"warning {code}: {message}"); }
}
