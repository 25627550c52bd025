namespace ContainerSdk.Core.Registry.Credentials;

/// <summary>
/// The process environment the credential lookup reads (variables and the home folder), injectable so that tests
/// and tasks can give a build its own without changing the test runner's.
/// </summary>
internal sealed class CredentialEnvironment
{
    private readonly Func<string, string?> _variable;

    public CredentialEnvironment(Func<string, string?> variable, string? home = null)
    {
        _variable = variable;
        Home = home ?? variable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
    }

    public static CredentialEnvironment Process { get; } = new(Environment.GetEnvironmentVariable);

    public string Home { get; }

    public string? this[string name] => _variable(name) is { Length: > 0 } v ? v : null;

    /// <summary>Auth files in the order podman, skopeo and docker read them.</summary>
    public IEnumerable<string> AuthFiles()
    {
        if (this["REGISTRY_AUTH_FILE"] is { } explicitFile) yield return explicitFile;
        if (this["XDG_RUNTIME_DIR"] is { } runtime) yield return Path.Combine(runtime, "containers", "auth.json");
        yield return Path.Combine(this["XDG_CONFIG_HOME"] ?? Path.Combine(Home, ".config"), "containers", "auth.json");
        yield return Path.Combine(this["DOCKER_CONFIG"] ?? Path.Combine(Home, ".docker"), "config.json");
    }

    /// <summary>Finds an executable on this environment's PATH (credential helpers).</summary>
    public string? FindExecutable(string name)
    {
        foreach (var dir in (this["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
