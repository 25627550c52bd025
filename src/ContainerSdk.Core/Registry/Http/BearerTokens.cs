using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Registry.Credentials;

namespace ContainerSdk.Core.Registry;

/// <summary>
/// Tokens of a bearer-token registry, asked from its token server per set of scopes ("repository:site:pull,push") and
/// kept until shortly before they expire (by <see cref="RegistryOptions.Clock"/>). Tokens and credentials are held in
/// memory only; the credentials go to the realm only where <see cref="CredentialRoutes"/> lets them.
/// </summary>
internal sealed class BearerTokens
{
    private const long MaxTokenResponse = 1024 * 1024;
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Expires)> _tokens = new(StringComparer.Ordinal);
    private readonly HttpClient _http;
    private readonly string _registry;
    private readonly bool _insecure;
    private readonly RegistryOptions _options;
    private readonly IBuildLog _log;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _fetching = new(1, 1);

    public BearerTokens(HttpClient http, string registry, RegistryOptions options, IBuildLog log)
    {
        _http = http;
        _registry = registry;
        _insecure = options.IsInsecure(registry);
        _options = options;
        _log = log;
        _clock = options.Clock;
    }

    public static string Key(IEnumerable<string> scopes) => string.Join(' ', scopes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    public void Forget(string key) => _tokens.TryRemove(key, out _);

    public async Task<string> GetAsync(AuthChallenge challenge, IReadOnlyList<string> scopes, RegistryCredential? credential, CredentialRoutes routes,
        RegistryOperation operation, CancellationToken cancel)
    {
        string key = Key(scopes);
        if (TryCached(key) is { } cached) return cached;
        // Blobs are pushed in parallel: the first asks, the others wait for its token instead of asking too.
        await _fetching.WaitAsync(cancel);
        try
        {
            return TryCached(key) ?? await FetchAsync(challenge, key, credential, routes, operation, cancel);
        }
        finally { _fetching.Release(); }
    }

    private string? TryCached(string key) => _tokens.TryGetValue(key, out var cached) && cached.Expires > _clock.GetUtcNow() ? cached.Token : null;

    private async Task<string> FetchAsync(AuthChallenge challenge, string key, RegistryCredential? credential, CredentialRoutes routes,
        RegistryOperation operation, CancellationToken cancel)
    {
        if (challenge["realm"] is not { } realmText || !Uri.TryCreate(realmText, UriKind.Absolute, out var realm) || realm.Scheme is not ("https" or "http"))
            throw operation.Fail(Codes.RegistryUnauthorized, "the registry asks for a token but names no valid token server (realm).");
        // Credentials go to the token server: never in clear text across a network unless the user said this registry may.
        if (realm.Scheme == "http" && !_insecure && !realm.IsLoopback)
            throw operation.Fail(Codes.RegistryUnauthorized,
                $"the registry's token server {realm.Authority} is plain http; add {_registry} to ContainerInsecureRegistries if that is intended.");

        // Only the realm the registry's own challenge named is given the credentials; any other asks anonymously.
        if (!routes.MayCarryCredentials(realm)) credential = null;
        using var request = credential is { IsIdentityToken: true } ? RefreshTokenRequest(realm, challenge, key, credential) : TokenRequest(realm, challenge, key, credential);
        using var wait = new AnswerWait(realm, "token server", _options, operation.Budget, _log, cancel);
        HttpResponseMessage sent;
        try { sent = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, wait.Token); }
        catch (OperationCanceledException) when (wait.TimedOut) { throw wait.Silent(); }
        using var response = sent;
        wait.Disarm();
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw operation.Fail(Codes.RegistryUnauthorized, response.StatusCode,
                credential is null ? "the token server refused an anonymous token; log in (see the README's credentials section)"
                    : $"the token server refused {credential}");
        if (!response.IsSuccessStatusCode)
        {
            if (RetryPolicy.IsTransient(response.StatusCode)) throw new TransientResponseException(response.StatusCode, response.Headers.RetryAfter);
            throw operation.Fail(Codes.RegistryUnauthorized, response.StatusCode, "the token server " + await ResponseBody.ErrorTextAsync(response, cancel));
        }
        var body = await ResponseBody.ReadLimitedAsync(response, MaxTokenResponse, operation, "token response", wait, cancel);
        var (token, lifetime) = Parse(body, operation);
        // A little early, so that a token never expires between being picked and being used.
        var expires = _clock.GetUtcNow() + lifetime - TimeSpan.FromSeconds(Math.Min(30, lifetime.TotalSeconds / 10));
        _tokens[key] = (token, expires);
        return token;
    }

    /// <summary>The distribution token API's GET, logged in with Basic credentials (or anonymous).</summary>
    private static HttpRequestMessage TokenRequest(Uri realm, AuthChallenge challenge, string key, RegistryCredential? credential)
    {
        var query = new List<string>();
        if (challenge["service"] is { } service) query.Add("service=" + Uri.EscapeDataString(service));
        foreach (var scope in key.Split(' ', StringSplitOptions.RemoveEmptyEntries)) query.Add("scope=" + Uri.EscapeDataString(scope));
        if (credential is not null) query.Add("account=" + Uri.EscapeDataString(credential.UserName));
        var builder = new UriBuilder(realm) { Query = string.Join('&', new[] { realm.Query.TrimStart('?') }.Where(q => q.Length > 0).Concat(query)) };
        var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        if (credential is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credential.BasicHeaderValue());
        return request;
    }

    /// <summary>
    /// An identity token is an OAuth2 refresh token: POSTed as a form to the same endpoint (the distribution token
    /// spec's OAuth2 flow, as docker does it), in the body, never in the URL, which servers and proxies log.
    /// </summary>
    private static HttpRequestMessage RefreshTokenRequest(Uri realm, AuthChallenge challenge, string key, RegistryCredential credential)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "refresh_token"),
            new("refresh_token", credential.Secret),
            new("client_id", "containersdk"),
        };
        if (challenge["service"] is { } service) form.Add(new("service", service));
        if (key.Length > 0) form.Add(new("scope", key));
        return new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
    }

    private static (string Token, TimeSpan Lifetime) Parse(byte[] body, RegistryOperation operation)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            string? token = root.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()
                : root.TryGetProperty("access_token", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            if (string.IsNullOrEmpty(token)) throw operation.Fail(Codes.RegistryUnauthorized, "the token server's answer has no token.");
            // The distribution token spec: 60 s when the server does not say.
            int seconds = root.TryGetProperty("expires_in", out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var s) && s > 0 ? s : 60;
            return (token, TimeSpan.FromSeconds(seconds));
        }
        catch (JsonException)
        {
            throw operation.Fail(Codes.RegistryUnauthorized, "the token server's answer is not JSON.");
        }
    }
}

/// <summary>A response worth another try (busy, throttled, restarting), thrown inside the retry loop only.</summary>
internal sealed class TransientResponseException(HttpStatusCode status, RetryConditionHeaderValue? retryAfter)
    : Exception($"HTTP {(int)status} {status}")
{
    public HttpStatusCode Status { get; } = status;
    public RetryConditionHeaderValue? RetryAfter { get; } = retryAfter;
}
