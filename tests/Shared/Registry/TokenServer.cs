using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace ContainerSdk.Tests.Registry;

/// <summary>A token request the server answered: who asked (null: anonymous), for which scopes, with what status.</summary>
public sealed record TokenRequest(string? User, IReadOnlyList<string> Scopes, int Status, string? Grant = null);

/// <summary>
/// The registry's bearer-token server, in the test process on 127.0.0.1 (HTTPS when the registry has TLS, with a
/// certificate from the same CA). GET /token?service=..&amp;scope=.. with Basic credentials, and the OAuth2 password
/// and refresh-token grants by POST (a form): wrong credentials or an unknown refresh token get 401; anonymous callers get a token that grants nothing; users get
/// the intersection of what they ask and what they may do per repository (pull, push, delete; read-only users pull).
/// </summary>
public sealed class TokenServer : IAsyncDisposable
{
    private static readonly string[] WriterActions = ["pull", "push", "delete"];
    private static readonly string[] ReaderActions = ["pull"];

    private readonly RegistryServerOptions _options;
    private readonly X509Certificate2 _signer;
    private readonly X509Certificate2? _tlsCertificate;
    private readonly LoopbackHttpServer _http;
    private readonly ConcurrentQueue<TokenRequest> _requests = new();

    private TokenServer(TestCertificateAuthority ca, RegistryServerOptions options)
    {
        _options = options;
        _signer = ca.IssueSigningCertificate();
        _tlsCertificate = options.Tls ? ca.IssueServerCertificate() : null;
        _http = new LoopbackHttpServer(HandleAsync, _tlsCertificate);
        Realm = new Uri($"{_http.Scheme}://{_http.Host}/token");
    }

    /// <summary>The realm the registry's challenge names.</summary>
    public Uri Realm { get; }

    /// <summary>The registry's service name: the challenge's "service" and the token's audience.</summary>
    public string Service => "containersdk-test-registry";

    public string Issuer => "containersdk-test-token-server";

    /// <summary>Every token request so far, in order.</summary>
    public IReadOnlyList<TokenRequest> Requests => _requests.ToArray();

    internal static Task<TokenServer> StartAsync(TestCertificateAuthority ca, RegistryServerOptions options) =>
        Task.FromResult(new TokenServer(ca, options));

    private async Task<bool> HandleAsync(HttpExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var query = System.Web.HttpUtility.ParseQueryString(request.Target.Contains('?') ? request.Target.Split('?', 2)[1] : "");
        if (request.Method == "POST")
        {
            var form = Encoding.UTF8.GetString(await exchange.Body.ReadAllAsync(cancellationToken));
            query.Add(System.Web.HttpUtility.ParseQueryString(form));
        }
        if (request.Path != "/token" || request.Method is not ("GET" or "POST"))
            return await AnswerAsync(exchange, 404, new { errors = new[] { new { code = "NOT_FOUND", message = "the token endpoint is /token" } } }, cancellationToken);

        var scopes = (query.GetValues("scope") ?? []).SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var (user, password) = Credentials(request, query, _options);
        int status;
        object body;
        if (user is not null && (_options.Users?.TryGetValue(user, out var expected) != true || expected != password))
        {
            (status, body) = (401, new { errors = new[] { new { code = "UNAUTHORIZED", message = "incorrect username or password" } } });
        }
        else if (query["service"] is { } service && service != Service)
        {
            (status, body) = (400, new { errors = new[] { new { code = "UNSUPPORTED", message = $"unknown service {service}" } } });
        }
        else
        {
            var token = RegistryToken.Sign(_signer, Issuer, Service, user, scopes.Select(ResourceAccess.Parse).OfType<ResourceAccess>().Select(a => Grant(user, a)).ToList(), _options.TokenLifetime);
            (status, body) = (200, new
            {
                token,
                access_token = token,
                expires_in = (int)_options.TokenLifetime.TotalSeconds,
                issued_at = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            });
        }
        _requests.Enqueue(new TokenRequest(user, scopes, status, query["grant_type"]));
        return await AnswerAsync(exchange, status, body, cancellationToken);
    }

    private ResourceAccess Grant(string? user, ResourceAccess asked)
    {
        string[] may = user is null ? []
            : asked.Type == "registry" && asked.Name == "catalog" ? ["*"]
            : asked.Type != "repository" ? []
            : _options.ReadOnlyUsers?.Contains(user) == true ? ReaderActions
            : WriterActions;
        return asked with { Actions = asked.Actions.Where(may.Contains).Distinct().ToList() };
    }

    /// <summary>Basic credentials, the password grant's form fields, or the user a refresh token stands for (an unknown one
    /// is a user no one is); (null, null) for an anonymous caller.</summary>
    private static (string? User, string? Password) Credentials(HttpRequestHead request, System.Collections.Specialized.NameValueCollection form,
        RegistryServerOptions options)
    {
        if (form["grant_type"] == "refresh_token")
            return form["refresh_token"] is { } refresh && options.RefreshTokens?.TryGetValue(refresh, out var owner) == true
                ? (owner, options.Users?.GetValueOrDefault(owner))
                : ("", null);
        if (request["Authorization"] is { } authorization && authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            string decoded;
            try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim())); }
            catch (FormatException) { return ("", null); }
            var colon = decoded.IndexOf(':');
            return colon < 0 ? (decoded, null) : (decoded[..colon], decoded[(colon + 1)..]);
        }
        return form["grant_type"] == "password" ? (form["username"] ?? "", form["password"]) : (null, null);
    }

    private static async Task<bool> AnswerAsync(HttpExchange exchange, int status, object body, CancellationToken cancellationToken)
    {
        var headers = new List<KeyValuePair<string, string>> { new("Content-Type", "application/json") };
        if (status == 401) headers.Add(new("WWW-Authenticate", "Basic realm=\"ContainerSdk test token server\""));
        await exchange.Connection.WriteResponseAsync(status, headers, JsonSerializer.SerializeToUtf8Bytes(body), cancellationToken);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _http.DisposeAsync();
        _signer.Dispose();
        _tlsCertificate?.Dispose();
    }
}
