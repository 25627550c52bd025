using System.Net;
using System.Net.Http.Headers;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Registry.Credentials;

namespace ContainerSdk.Core.Registry;

/// <summary>
/// HTTP to one registry: the scheme (https; http only for an insecure registry that does not speak TLS), the login
/// (Basic, or bearer tokens per scope), redirects followed by hand (Authorization stays with the registry; no loop,
/// no https→http), and retries of what is worth retrying. No cookies: a registry session is its token.
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
        _tokens = new BearerTokens(_http, registry, options.IsInsecure(registry), options.ResponseTimeout);
    }

    public string Registry { get; }
    public RegistryOptions Options { get; }

    public static IReadOnlyList<string> PullScope(string repository) => new[] { $"repository:{repository}:pull" };
    public static IReadOnlyList<string> PushScope(string repository) => new[] { $"repository:{repository}:pull,push" };

    /// <summary>Runs <paramref name="attempt"/> until it succeeds, fails for good, or has been tried <see cref="RetryPolicy.MaxAttempts"/> times.</summary>
    public async Task<T> RetryAsync<T>(RegistryOperation operation, Func<CancellationToken, Task<T>> attempt, CancellationToken cancel)
    {
        var policy = Options.Retry;
        for (int n = 1; ; n++)
        {
            string failure;
            RetryConditionHeaderValue? retryAfter = null;
            try
            {
                return await attempt(cancel);
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
            var delay = policy.DelayAfter(n, retryAfter);
            _log.Detail($"{operation}: {failure}; attempt {n + 1} of {policy.MaxAttempts} in {delay.TotalSeconds:0.0} s");
            await Task.Delay(delay, cancel);
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
            var response = await SendFollowingRedirectsAsync(operation, baseUri, request(baseUri), allScopes, cancel);
            if (RetryPolicy.IsTransient(response.StatusCode))
            {
                var retryAfter = response.Headers.RetryAfter;
                response.Dispose();
                throw new TransientResponseException(response.StatusCode, retryAfter);
            }
            if (response.StatusCode != HttpStatusCode.Unauthorized || login > 0 || AuthChallenge.From(response.Headers) is not { } challenge)
                return response;
            // A first challenge, a scope the token lacks, or a token the registry no longer takes: one fresh login.
            _challenge = challenge;
            _tokens.Forget(BearerTokens.Key(allScopes));
            if (challenge["scope"] is { } wanted) allScopes.AddRange(wanted.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            _tokens.Forget(BearerTokens.Key(allScopes));
            response.Dispose();
        }
    }

    /// <summary>A 401 the login could not get past, as the error the user reads.</summary>
    public ContainerSdkException Unauthorized(RegistryOperation operation, HttpResponseMessage response, string repository)
    {
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

    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(RegistryOperation operation, Uri baseUri, HttpRequestMessage request,
        IReadOnlyList<string> scopes, CancellationToken cancel)
    {
        await AuthorizeAsync(request, scopes, operation, cancel);
        var visited = new HashSet<Uri>();
        for (int hop = 0; ; hop++)
        {
            var from = request.RequestUri!;
            visited.Add(from);
            HttpResponseMessage response;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel))
            {
                timeout.CancelAfter(Options.ResponseTimeout);
                // The timeout counts from the last piece of the body sent, not from the start: a big blob on a slow
                // link is not cut off (and sent again, and cut off again) while it is still going out.
                if (request.Content is { } body) request.Content = ProgressContent.Wrap(body, () => Rearm(timeout, Options.ResponseTimeout));
                try { response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token); }
                catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                {
                    throw new TimeoutException($"no response within {Options.ResponseTimeout.TotalSeconds:0} s" +
                                               (request.Content is null ? "" : " of the last piece of the request's body"));
                }
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
            if (SameOrigin(next, baseUri)) await AuthorizeAsync(request, scopes, operation, cancel);
        }
    }

    /// <summary>Restarts the clock; a body piece sent after the response came (the registry answered early) finds it gone.</summary>
    private static void Rearm(CancellationTokenSource timeout, TimeSpan after)
    {
        try { timeout.CancelAfter(after); }
        catch (ObjectDisposedException) { }
    }

    private static bool SameOrigin(Uri a, Uri b) => a.Scheme == b.Scheme && string.Equals(a.Authority, b.Authority, StringComparison.OrdinalIgnoreCase);

    private async Task AuthorizeAsync(HttpRequestMessage request, IReadOnlyList<string> scopes, RegistryOperation operation, CancellationToken cancel)
    {
        var challenge = _challenge;
        if (challenge is null) return;
        var credential = Credential(operation.Repository);
        if (challenge.IsBasic)
        {
            // An identity token is for a token server only; a Basic registry never sees it.
            if (credential is { IsIdentityToken: false }) request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credential.BasicHeaderValue());
            return;
        }
        if (challenge.IsBearer)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _tokens.GetAsync(challenge, scopes, credential, operation, cancel));
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
                await PingOnceAsync(http, cancel);
                return _base = http;
            }
            var https = new Uri($"https://{Registry}/");
            try
            {
                await PingOnceAsync(https, cancel);
                return _base = https;
            }
            catch (HttpRequestException) when (Options.IsInsecure(Registry) && !_clientCertificates.AskedForWithoutOne)
            {
                // No retry before falling back: a plain-http server answers a TLS hello at once (with an error), and
                // a registry that is down fails the http attempt too, which the caller's retry loop handles.
                await PingOnceAsync(http, cancel);
                Options.Schemes.Remember(Registry, http);
                _log.Detail($"Registry {Registry} does not speak TLS; using plain http (it is in ContainerInsecureRegistries).");
                return _base = http;
            }
        }
        finally { _pingLock.Release(); }
    }

    private async Task PingOnceAsync(Uri baseUri, CancellationToken cancel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(Options.ResponseTimeout);
        using var response = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, "v2/")), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (RetryPolicy.IsTransient(response.StatusCode)) throw new TransientResponseException(response.StatusCode, response.Headers.RetryAfter);
        if (response.StatusCode == HttpStatusCode.Unauthorized) _challenge = AuthChallenge.From(response.Headers);
    }

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
