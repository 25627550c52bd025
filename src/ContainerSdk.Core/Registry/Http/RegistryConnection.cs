using System.Net;
using System.Net.Http.Headers;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Registry.Credentials;

namespace ContainerSdk.Core.Registry;

/// <summary>
/// HTTP to one registry: the scheme (https; http only for an insecure registry that does not speak TLS), the login
/// (Basic, or bearer tokens per scope), redirects followed by hand (where credentials may go: <see cref="CredentialRoutes"/>;
/// no loop, no https→http), time limits (<see cref="AnswerWait"/>, <see cref="WaitBudget"/>) and retries of what is worth
/// retrying. No cookies: a registry session is its token.
/// </summary>
internal sealed class RegistryConnection : IDisposable
{
    public const int MaxRedirects = 5;

    private readonly HttpClient _http;
    private readonly BearerTokens _tokens;
    private readonly IBuildLog _log;
    private readonly ClientCertificates _clientCertificates;
    private readonly SemaphoreSlim _pingLock = new(1, 1);
    private readonly Dictionary<string, RegistryCredential?> _credentials = new(StringComparer.Ordinal);
    private Uri? _base;
    private CredentialRoutes? _routes;
    private AuthChallenge? _challenge;

    public RegistryConnection(string registry, RegistryOptions options, IBuildLog log)
    {
        Registry = registry;
        Options = options;
        _log = log;
        var trust = new RegistryTrust(registry, options.IsInsecure(registry), options.CertificateDirectories);
        _clientCertificates = new ClientCertificates(registry, options.CertificateDirectories);
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            SslOptions =
            {
                RemoteCertificateValidationCallback = trust.Validate,
                LocalCertificateSelectionCallback = _clientCertificates.Select,
            },
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ContainerSdk", "1"));
        _tokens = new BearerTokens(_http, registry, options, log);
    }

    public string Registry { get; }
    public RegistryOptions Options { get; }

    public static IReadOnlyList<string> PullScope(string repository) => new[] { $"repository:{repository}:pull" };
    public static IReadOnlyList<string> PushScope(string repository) => new[] { $"repository:{repository}:pull,push" };

    /// <summary>Runs <paramref name="attempt"/> until it succeeds, fails for good, or has been tried <see cref="RetryPolicy.MaxAttempts"/> times.</summary>
    public async Task<T> RetryAsync<T>(RegistryOperation operation, Func<CancellationToken, Task<T>> attempt, CancellationToken cancel)
    {
        var policy = Options.Retry;
        var budget = operation.Budget;
        for (int n = 1; ; n++)
        {
            string failure;
            RetryConditionHeaderValue? retryAfter = null;
            try
            {
                return await attempt(cancel);
            }
            catch (SilentServerException e) when (!cancel.IsCancellationRequested)
            {
                // A silent server is not asked again and again at full length: the operation's budget bounds all its waits.
                if (budget.IsSpent || n >= policy.MaxAttempts)
                    throw operation.Fail(Codes.RegistryTimedOut,
                        $"{e.Host} ({e.What}) did not answer; waited {budget.Spent.TotalSeconds:0} s in all over {n} attempt(s). " +
                        $"ContainerRegistryTimeout is {Options.ResponseTimeout.TotalSeconds:0} s per request (an operation waits at most " +
                        $"{budget.Total.TotalSeconds:0} s on a silent server); raise it if the server is only slow.", e);
                failure = e.Message;
            }
            catch (TransientResponseException e)
            {
                if (n >= policy.MaxAttempts)
                    throw operation.Fail(Codes.RegistryRequestFailed, e.Status, $"still failing after {n} attempts");
                failure = e.Message;
                retryAfter = e.RetryAfter;
            }
            catch (Exception e) when (e is HttpRequestException or IOException && _clientCertificates.AskedForWithoutOne)
            {
                throw operation.Fail(Codes.RegistryTlsFailed,
                    $"the registry asks for a TLS client certificate and there is none ({Describe(e)}). Put it in " +
                    $"/etc/containers/certs.d/{Registry}/ as client.cert with its key client.key, as podman and docker read it.", e);
            }
            catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.SecureConnectionError && !Options.IsInsecure(Registry) && AnsweredWithoutTls(e))
            {
                // .NET's words for it ("see inner exception: Cannot determine the frame size...") point at nothing a user sees.
                throw operation.Fail(Codes.RegistryTlsFailed,
                    "the registry did not answer the TLS handshake with TLS: it speaks plain HTTP (as a test registry often does). " +
                    "To use plain HTTP with it, list it in ContainerInsecureRegistries; otherwise check the host and port.", e);
            }
            catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.SecureConnectionError && !Options.IsInsecure(Registry))
            {
                throw operation.Fail(Codes.RegistryTlsFailed,
                    $"TLS with the registry failed ({Describe(e)}). If the registry's certificate comes from a private CA, put the CA in " +
                    $"/etc/containers/certs.d/{Registry}/ca.crt; to skip TLS for a test registry, list it in ContainerInsecureRegistries.", e);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException
                                          || e is OperationCanceledException && !cancel.IsCancellationRequested)
            {
                if (n >= policy.MaxAttempts)
                    throw operation.Fail(Codes.RegistryUnreachable, $"no answer after {n} attempts ({Describe(e)}).", e);
                failure = Describe(e);
            }
            var delay = policy.DelayAfter(n, retryAfter, Options.Clock.GetUtcNow());
            _log.Detail($"{operation}: {failure}; attempt {n + 1} of {policy.MaxAttempts} in {delay.TotalSeconds:0.0} s");
            await Task.Delay(delay, Options.Clock, cancel);
        }
    }

    /// <summary>
    /// One attempt: logged in, redirects followed. A transient status is thrown (for <see cref="RetryAsync{T}"/>);
    /// any other response, including 401 after a fresh login, is the caller's to read.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(RegistryOperation operation, IReadOnlyList<string> scopes, Func<Uri, HttpRequestMessage> request,
        CancellationToken cancel)
    {
        var baseUri = await PingAsync(operation, cancel);
        var allScopes = scopes.ToList();
        for (int login = 0; ; login++)
        {
            var response = await SendFollowingRedirectsAsync(operation, request(baseUri), allScopes, cancel);
            if (RetryPolicy.IsTransient(response.StatusCode))
            {
                var retryAfter = response.Headers.RetryAfter;
                response.Dispose();
                throw new TransientResponseException(response.StatusCode, retryAfter);
            }
            if (response.StatusCode == HttpStatusCode.Unauthorized && AnsweredBy(response) is { } foreign)
            {
                // A storage host the registry sent us to asks for a login: its challenge is not the registry's, and nothing of
                // the registry's (password, token) is sent to it or to a token server it names.
                response.Dispose();
                throw operation.Fail(Codes.RegistryForeignChallenge,
                    $"the registry sent the request on to {foreign}, which asks for credentials (HTTP 401). The registry's credentials " +
                    $"are sent to the registry and its own token server only, never to a host it redirects to; the registry's storage " +
                    $"({foreign}) must accept the redirect as it is (a signed URL).");
            }
            if (response.StatusCode != HttpStatusCode.Unauthorized || login > 0 || AuthChallenge.From(response.Headers) is not { } challenge)
                return response;
            // A first challenge, a scope the token lacks, or a token the registry no longer takes: one fresh login.
            Challenged(challenge);
            _tokens.Forget(BearerTokens.Key(allScopes));
            if (challenge["scope"] is { } wanted) allScopes.AddRange(wanted.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            _tokens.Forget(BearerTokens.Key(allScopes));
            response.Dispose();
        }
    }

    /// <summary>A 401 the login could not get past, as the error the user reads.</summary>
    public ContainerSdkException Unauthorized(RegistryOperation operation, HttpResponseMessage response, string repository)
    {
        // A storage host's refusal is not the registry refusing the user.
        if (AnsweredBy(response) is { } foreign)
            // (A storage host's 401 never gets here: SendAsync made it CSDK6012.)
            return operation.Fail(Codes.RegistryRequestFailed,
                response.StatusCode, $"{foreign}, where the registry redirected the request, refused it (the registry's credentials are never sent there)");
        var credential = Credential(repository);
        string who = credential is null
            ? "no credentials were found for it (see the README's credentials section: skopeo login, podman login, docker login or CONTAINERSDK_REGISTRY_USER)"
            : $"it refused {credential}";
        return operation.Fail(Codes.RegistryUnauthorized, response.StatusCode, who);
    }

    public RegistryCredential? Credential(string repository)
    {
        lock (_credentials)
        {
            if (!_credentials.TryGetValue(repository, out var credential))
                _credentials[repository] = credential = Options.Credentials.Find(Registry, repository);
            return credential;
        }
    }

    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(RegistryOperation operation, HttpRequestMessage request,
        IReadOnlyList<string> scopes, CancellationToken cancel)
    {
        await AuthorizeAsync(request, scopes, operation, cancel);
        var visited = new HashSet<Uri>();
        for (int hop = 0; ; hop++)
        {
            var from = request.RequestUri!;
            visited.Add(from);
            HttpResponseMessage response;
            string what = Routes.IsRegistry(from) ? operation.Action : "storage for " + operation.Action;
            using (var wait = new AnswerWait(from, what, Options, operation.Budget, _log, cancel))
            {
                // The timeout counts from the last piece of the body sent, not from the start: a big blob on a slow
                // link is not cut off (and sent again, and cut off again) while it is still going out.
                if (request.Content is { } body) request.Content = ProgressContent.Wrap(body, wait.Moved);
                try { response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, wait.Token); }
                catch (OperationCanceledException) when (wait.TimedOut) { throw wait.Silent(); }
                finally { request.Dispose(); }
            }
            bool isRedirect = (int)response.StatusCode is 301 or 302 or 303 or 307 or 308;
            if (!isRedirect || response.Headers.Location is not { } location || (request.Method != HttpMethod.Get && request.Method != HttpMethod.Head))
                return response;
            response.Dispose();
            var next = location.IsAbsoluteUri ? location : new Uri(from, location);
            if (from.Scheme == Uri.UriSchemeHttps && next.Scheme != Uri.UriSchemeHttps)
                throw operation.Fail(Codes.RegistryRedirectRejected, $"the registry redirected from https to {next.Scheme}://{next.Authority}; a download is never downgraded.");
            if (!visited.Add(next) || hop + 1 > MaxRedirects)
                throw operation.Fail(Codes.RegistryRedirectRejected, $"the registry's redirects loop or go on for more than {MaxRedirects} hops.");
            request = new HttpRequestMessage(request.Method, next);
            // Blob downloads go to storage servers with a signed URL: the registry's Authorization is not theirs to see.
            await AuthorizeAsync(request, scopes, operation, cancel);
        }
    }

    /// <summary>The registry's own routes; known once the ping settled the scheme.</summary>
    private CredentialRoutes Routes => _routes ?? throw new InvalidOperationException("The registry was not pinged.");

    /// <summary>The host that answered, when it is not the registry (a storage host a redirect led to); null for the registry.</summary>
    private string? AnsweredBy(HttpResponseMessage response) =>
        response.RequestMessage?.RequestUri is { } uri && _routes is { } routes && !routes.IsRegistry(uri) ? uri.Authority : null;

    /// <summary>A challenge from the registry itself: how to log in, and (Bearer) the one token server its credentials may go to.</summary>
    private void Challenged(AuthChallenge challenge)
    {
        if (challenge.IsBearer && challenge["realm"] is { } realm && Uri.TryCreate(realm, UriKind.Absolute, out var realmUri)) Routes.TrustRealm(realmUri);
        _challenge = challenge;
    }

    /// <summary>A wait for an answer from <paramref name="target"/>, charged to the operation's budget (a response body's, a token's).</summary>
    internal AnswerWait Wait(Uri target, string what, RegistryOperation operation, CancellationToken cancel, TimeSpan? timeout = null) =>
        new(target, what, Options, operation.Budget, _log, cancel, timeout);

    /// <summary>Attaches what may go to the request's host (<see cref="CredentialRoutes"/>): every credential and token goes through here.</summary>
    private async Task AuthorizeAsync(HttpRequestMessage request, IReadOnlyList<string> scopes, RegistryOperation operation, CancellationToken cancel)
    {
        var challenge = _challenge;
        if (challenge is null) return;
        var target = request.RequestUri!;
        var credential = Credential(operation.Repository);
        if (challenge.IsBasic)
        {
            // An identity token is for a token server only; a Basic registry never sees it.
            if (credential is { IsIdentityToken: false } && Routes.MayCarryCredentials(target))
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credential.BasicHeaderValue());
            return;
        }
        if (challenge.IsBearer && Routes.MayCarryToken(target))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _tokens.GetAsync(challenge, scopes, credential, Routes, operation, cancel));
    }

    /// <summary>
    /// <c>GET /v2/</c> once per connection, as docker does: it settles the scheme of an insecure registry and learns how to log
    /// in, so that each request after it goes out logged in, in one round trip.
    /// </summary>
    private async Task<Uri> PingAsync(RegistryOperation operation, CancellationToken cancel)
    {
        if (_base is { } known) return known;
        await _pingLock.WaitAsync(cancel);
        try
        {
            if (_base is { } raced) return raced;
            var http = new Uri($"http://{Registry}/");
            // An insecure registry found to speak plain http earlier in this build is not asked for TLS again.
            if (Options.IsInsecure(Registry) && Options.Schemes.Known(Registry) == http)
            {
                await PingOnceAsync(http, operation, cancel);
                return _base = http;
            }
            var https = new Uri($"https://{Registry}/");
            try
            {
                await PingOnceAsync(https, operation, cancel);
                return _base = https;
            }
            catch (HttpRequestException) when (Options.IsInsecure(Registry) && !_clientCertificates.AskedForWithoutOne)
            {
                // No retry before falling back: a plain-http server answers a TLS hello at once (with an error), and
                // a registry that is down fails the http attempt too, which the caller's retry loop handles.
                await PingOnceAsync(http, operation, cancel);
                Options.Schemes.Remember(Registry, http);
                _log.Detail($"Registry {Registry} does not speak TLS; using plain http (it is in ContainerInsecureRegistries).");
                return _base = http;
            }
        }
        finally { _pingLock.Release(); }
    }

    private async Task PingOnceAsync(Uri baseUri, RegistryOperation operation, CancellationToken cancel)
    {
        var ping = new Uri(baseUri, "v2/");
        HttpResponseMessage response;
        using (var wait = new AnswerWait(ping, "registry", Options, operation.Budget, _log, cancel))
        {
            try { response = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Get, ping), HttpCompletionOption.ResponseHeadersRead, wait.Token); }
            catch (OperationCanceledException) when (wait.TimedOut) { throw wait.Silent(); }
        }
        using (response)
        {
            if (RetryPolicy.IsTransient(response.StatusCode)) throw new TransientResponseException(response.StatusCode, response.Headers.RetryAfter);
            // The ping never follows a redirect (AllowAutoRedirect is off): this answer is the registry's own.
            _routes = new CredentialRoutes(baseUri);
            if (response.StatusCode == HttpStatusCode.Unauthorized && AuthChallenge.From(response.Headers) is { } challenge) Challenged(challenge);
        }
    }

    /// <summary>
    /// A handshake that failed on what the server sent, not on its certificate: SslStream reads an HTTP answer as a TLS
    /// record it cannot frame (an <see cref="System.Security.Authentication.AuthenticationException"/> that is not about a
    /// certificate).
    /// </summary>
    private static bool AnsweredWithoutTls(HttpRequestException e) => e.InnerException switch
    {
        System.Security.Authentication.AuthenticationException a => !a.Message.Contains("certificate", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private static string Describe(Exception e) => e switch
    {
        HttpRequestException { InnerException: { } inner } h => $"{h.Message.TrimEnd('.')}: {inner.Message}",
        _ => e.Message,
    };

    public void Dispose()
    {
        _http.Dispose();
        _pingLock.Dispose();
    }
}
