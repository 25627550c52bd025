using System.Text;
using System.Text.Json;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Registry.Credentials;

/// <summary>
/// One containers auth.json or docker config.json (same shape): <c>auths</c> entries keyed by registry (podman also
/// by "registry/namespace/repository"), <c>credHelpers</c> per registry and a default <c>credsStore</c>.
/// </summary>
internal sealed class AuthFile
{
    private readonly Dictionary<string, JsonElement> _auths;
    private readonly Dictionary<string, string> _helpers;

    private AuthFile(string path, Dictionary<string, JsonElement> auths, Dictionary<string, string> helpers, string? store)
    {
        Path = path;
        _auths = auths;
        _helpers = helpers;
        CredentialsStore = store;
    }

    public string Path { get; }
    public string? CredentialsStore { get; }

    /// <summary>Null when the file does not exist; a coded error naming the file (never its content) when it is not JSON.</summary>
    public static AuthFile? TryLoad(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            var auths = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
            var helpers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (root.TryGetProperty("auths", out var a) && a.ValueKind == JsonValueKind.Object)
                foreach (var p in a.EnumerateObject()) auths[NormalizeKey(p.Name)] = p.Value.Clone();
            if (root.TryGetProperty("credHelpers", out var h) && h.ValueKind == JsonValueKind.Object)
                foreach (var p in h.EnumerateObject())
                    if (p.Value.ValueKind == JsonValueKind.String) helpers[NormalizeKey(p.Name)] = p.Value.GetString()!;
            string? store = root.TryGetProperty("credsStore", out var s) && s.ValueKind == JsonValueKind.String && s.GetString() is { Length: > 0 } v ? v : null;
            return new AuthFile(path, auths, helpers, store);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // The exception text of a JSON error can quote the file; only its position is safe to show.
            string where = e is JsonException j && j.LineNumber is { } line ? $" (line {line + 1})" : "";
            throw new ContainerSdkException(Codes.RegistryCredentialsFailed,
                $"Registry credentials file '{path}' cannot be read as JSON{where}: fix or remove it.", path, (int)((e as JsonException)?.LineNumber + 1 ?? 0));
        }
    }

    /// <summary>The credential helper for the registry, and the key it is stored under.</summary>
    public string? HelperFor(string registry) => _helpers.TryGetValue(registry, out var helper) ? helper : null;

    /// <summary>The most specific <c>auths</c> entry for the repository (podman's rule), then the registry's own.</summary>
    public RegistryCredential? Find(string registry, string repository)
    {
        var candidates = new List<string>();
        var parts = repository.Split('/');
        for (int n = parts.Length; n >= 1; n--) candidates.Add(registry + "/" + string.Join('/', parts.Take(n)));
        candidates.Add(registry);
        if (registry == RegistryReference.DockerHub) candidates.AddRange(new[] { "index.docker.io", "registry-1.docker.io" });
        foreach (var key in candidates)
            if (_auths.TryGetValue(key, out var entry) && Read(entry, key) is { } credential) return credential;
        return null;
    }

    private RegistryCredential? Read(JsonElement entry, string key)
    {
        string source = $"'{Path}' ({key})";
        if (entry.ValueKind != JsonValueKind.Object) return null;
        // docker login to an OAuth2 registry (Azure's `az acr login`, for one) keeps a refresh token here and no password.
        if (entry.TryGetProperty("identitytoken", out var identity) && identity.ValueKind == JsonValueKind.String && identity.GetString() is { Length: > 0 } refresh)
            return new RegistryCredential(RegistryCredential.IdentityTokenUserName, refresh, source) { IsIdentityToken = true };
        if (entry.TryGetProperty("auth", out var auth) && auth.ValueKind == JsonValueKind.String && auth.GetString() is { Length: > 0 } encoded)
        {
            string decoded;
            try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded)); }
            catch (FormatException)
            {
                throw new ContainerSdkException(Codes.RegistryCredentialsFailed, $"Registry credentials file '{Path}': the \"auth\" of {key} is not base64.", Path);
            }
            int colon = decoded.IndexOf(':');
            if (colon <= 0)
                throw new ContainerSdkException(Codes.RegistryCredentialsFailed, $"Registry credentials file '{Path}': the \"auth\" of {key} is not base64 of user:password.", Path);
            return new RegistryCredential(decoded[..colon], decoded[(colon + 1)..], source);
        }
        if (entry.TryGetProperty("username", out var u) && u.GetString() is { Length: > 0 } user
            && entry.TryGetProperty("password", out var p) && p.GetString() is { } password)
            return new RegistryCredential(user, password, source);
        return null;
    }

    /// <summary>"https://host:5000/v1/" and "host:5000" name the same registry (docker's keys carry scheme and API path).</summary>
    internal static string NormalizeKey(string key)
    {
        string k = key.Trim();
        foreach (var scheme in new[] { "https://", "http://" })
            if (k.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) k = k[scheme.Length..];
        k = k.TrimEnd('/');
        foreach (var api in new[] { "/v1", "/v2" })
            if (k.EndsWith(api, StringComparison.OrdinalIgnoreCase)) k = k[..^api.Length];
        return k;
    }
}
