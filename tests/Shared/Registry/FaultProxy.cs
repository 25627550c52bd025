using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ContainerSdk.Tests.Registry;

/// <summary>
/// A request the proxy saw: method, path and query, the status it answered (0: none, the connection was reset),
/// which of its listeners took it, whether it carried Authorization, and the fault applied (null: forwarded).
/// </summary>
public sealed record ProxiedRequest(string Method, string PathAndQuery, int Status)
{
    public string Listener { get; init; } = "";
    public bool HadAuthorization { get; init; }

    /// <summary>Request body bytes the proxy took (forwarded, or taken before a cut).</summary>
    public long BodyBytes { get; init; }
    public FaultKind? Fault { get; init; }
}

/// <summary>
/// An HTTP/1.1 reverse proxy on 127.0.0.1 in front of a registry that injects the faults of a
/// <see cref="FaultPlan"/>: plain HTTP on both sides, or HTTPS on both sides in front of a TLS
/// <see cref="RegistryServer"/> (a certificate from the registry's CA). Location headers from upstream are
/// rewritten to point at the proxy. Two more listeners stand for other hosts: <see cref="DowngradeHost"/> (always
/// plain HTTP), where <see cref="FaultPlan.DowngradeLocation"/> sends clients, and <see cref="StorageHost"/>, where
/// <see cref="FaultPlan.RedirectToStorage"/> does; both forward, so a test sees whether (and with which
/// headers) a client followed.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Proxy-Authorization",
        "Proxy-Authenticate", "Proxy-Connection", "Host", "Expect", "Content-Length",
    };

    private readonly Uri _upstream;
    private readonly FaultPlan _plan;
    private readonly ChunkedUploadPolicy? _chunked;
    private readonly HttpClient _client;
    private readonly ConcurrentQueue<ProxiedRequest> _requests = new();
    private readonly LoopbackHttpServer _front;
    private readonly LoopbackHttpServer _downgrade;
    private readonly LoopbackHttpServer _storage;
    // signature -> the Authorization of the request that was redirected: what a pre-signed URL stands for.
    private readonly ConcurrentDictionary<string, string?> _signatures = new();
    private readonly X509Certificate2? _certificate;

    private FaultProxy(string upstreamHost, FaultPlan plan, TestCertificateAuthority? tls)
    {
        _upstream = new Uri($"{(tls is null ? "http" : "https")}://{upstreamHost}/");
        _plan = plan;
        _chunked = plan.ChunkMinLength is { } min ? new ChunkedUploadPolicy(min) : null;
        _client = new HttpClient(tls?.CreateTrustingHandler() ?? new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _certificate = tls?.IssueServerCertificate();
        _front = new LoopbackHttpServer((exchange, ct) => HandleAsync(exchange, applyPlan: true, ct), _certificate);
        _downgrade = new LoopbackHttpServer((exchange, ct) => HandleAsync(exchange, applyPlan: false, ct));
        _storage = new LoopbackHttpServer(ServeStorageAsync, _certificate);
    }

    /// <summary>"127.0.0.1:PORT": put it where the registry's host would go.</summary>
    public string Host => _front.Host;

    /// <summary>http(s)://127.0.0.1:PORT/: https when in front of a TLS registry.</summary>
    public Uri BaseUri => new($"{_front.Scheme}://{Host}/");

    /// <summary>The other listener ("127.0.0.1:PORT") that DowngradeLocation redirects to.</summary>
    public string DowngradeHost => _downgrade.Host;

    /// <summary>The "storage server" ("127.0.0.1:PORT", the front's scheme) that RedirectToStorage sends clients to.</summary>
    public string StorageHost => _storage.Host;

    /// <summary>The plan, whose rules say how many firings each has left.</summary>
    public FaultPlan Plan => _plan;

    /// <summary>Every request so far, on any of the listeners, in the order they were answered.</summary>
    public IReadOnlyList<ProxiedRequest> Requests => _requests.ToArray();

    // No CancellationToken on purpose, like RegistryServer.StartAsync: starting is immediate.
    /// <summary>A plain-HTTP proxy in front of a plain-HTTP registry at "host:port".</summary>
    public static Task<FaultProxy> StartAsync(string upstreamHost, FaultPlan plan) => Task.FromResult(new FaultProxy(upstreamHost, plan, null));

    /// <summary>A proxy in front of a fixture registry: HTTPS on both sides (trusting and issued by its CA) when it has TLS.</summary>
    public static Task<FaultProxy> StartAsync(RegistryServer upstream, FaultPlan plan) =>
        Task.FromResult(new FaultProxy(upstream.Host, plan, upstream.Options.Tls ? upstream.CertificateAuthority : null));

    private async Task<bool> HandleAsync(HttpExchange exchange, bool applyPlan, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var connection = exchange.Connection;
        if (string.Equals(request["Expect"], "100-continue", StringComparison.OrdinalIgnoreCase))
            await connection.WriteHeadAsync(100, [], cancellationToken);
        var rule = applyPlan ? _plan.Match(request.Method, request.Target) : null;
        var record = new ProxiedRequest(request.Method, request.Target, 0)
        {
            Listener = exchange.ListenerHost, HadAuthorization = request["Authorization"] is not null, Fault = rule?.Kind,
        };

        switch (rule?.Kind)
        {
            case FaultKind.Reset when rule.AfterBodyBytes is null:
                _requests.Enqueue(record);
                connection.Reset();
                return false;
            case FaultKind.CutRequestBody:
                long taken = 0;
                try { await exchange.Body.CopyToAsync(new CuttingStream(Stream.Null, rule.AfterBodyBytes, n => taken += n), cancellationToken); }
                catch (BodyCutException) { }
                _requests.Enqueue(record with { BodyBytes = taken });
                connection.Reset();
                return false;
            case FaultKind.Fail:
                await exchange.Body.DrainAsync(cancellationToken);
                var headers = rule.RetryAfter is { } wait ? [new("Retry-After", ((int)Math.Ceiling(wait.TotalSeconds)).ToString())] : Array.Empty<KeyValuePair<string, string>>();
                return await AnswerErrorAsync(exchange, record, rule.Status, "injected by FaultProxy", headers, cancellationToken);
            case FaultKind.RedirectLoop:
                return await RedirectAsync(exchange, record, $"{exchange.ListenerScheme}://{exchange.ListenerHost}{request.Target}", cancellationToken);
            case FaultKind.DowngradeLocation:
                return await RedirectAsync(exchange, record, $"http://{DowngradeHost}{request.Target}", cancellationToken);
            case FaultKind.RedirectToStorage:
                var signature = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
                _signatures[signature] = request["Authorization"];
                var separator = request.Target.Contains('?') ? '&' : '?';
                return await RedirectAsync(exchange, record, $"{_storage.Scheme}://{StorageHost}{request.Target}{separator}signature={signature}", cancellationToken);
            case FaultKind.Delay:
                await Task.Delay(rule.Delay, cancellationToken);
                break;
            case FaultKind.SlowBody:
                exchange.Body.BytesPerSecond = rule.BytesPerSecond;
                break;
        }

        if (_chunked?.Refusal(request) is { } refusal)
        {
            await exchange.Body.DrainAsync(cancellationToken);
            return await AnswerErrorAsync(exchange, record, refusal, $"this registry takes blobs in chunks of at least {_chunked.MinChunk} bytes",
                [new("OCI-Chunk-Min-Length", _chunked.MinChunk.ToString())], cancellationToken);
        }
        return await ForwardAsync(exchange, record, rule, null, cancellationToken);
    }

    /// <summary>A pre-signed URL: served upstream with the credentials of the request that was redirected, not the caller's.</summary>
    private async Task<bool> ServeStorageAsync(HttpExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var record = new ProxiedRequest(request.Method, request.Target, 0)
        {
            Listener = exchange.ListenerHost, HadAuthorization = request["Authorization"] is not null,
        };
        var match = System.Text.RegularExpressions.Regex.Match(request.Target, "[?&]signature=([0-9a-f]+)$");
        if (!match.Success || !_signatures.TryGetValue(match.Groups[1].Value, out var authorization))
            return await AnswerErrorAsync(exchange, record, 403, "no valid signature", [], cancellationToken);
        var target = request.Target[..match.Index];
        return await ForwardAsync(exchange, record, null, (target, authorization), cancellationToken);
    }

    private async Task<bool> ForwardAsync(HttpExchange exchange, ProxiedRequest record, FaultRule? rule,
        (string Target, string? Authorization)? signed, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_upstream, signed?.Target ?? request.Target));
        if (request.HasBody || request.ContentLength == 0 && request.Method is "PUT" or "POST" or "PATCH")
            message.Content = exchange.Body.AsContent();
        var forwarded = request.Headers.Where(h => !HopByHop.Contains(h.Key) && (signed is null || !h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)));
        if (signed?.Authorization is { } stored) forwarded = forwarded.Append(new("Authorization", stored));
        foreach (var (name, value) in forwarded)
            if (!message.Headers.TryAddWithoutValidation(name, value)) message.Content?.Headers.TryAddWithoutValidation(name, value);

        HttpResponseMessage response;
        try { response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken); }
        catch (HttpRequestException e)
        {
            return await AnswerErrorAsync(exchange, record, 502, $"upstream {_upstream.Authority} failed: {e.Message}", [], cancellationToken);
        }
        using (response)
        {
            if (_chunked is not null) _chunked.Chunked(request, exchange.Body.BytesRead);
            var status = (int)response.StatusCode;
            var headers = response.Headers.Concat(response.Content.Headers)
                .Where(h => !HopByHop.Contains(h.Key))
                .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, h.Key.Equals("Location", StringComparison.OrdinalIgnoreCase) ? Relocate(v, exchange) : v)))
                .ToList();
            if (_chunked is not null && ChunkedUploadPolicy.StartsSession(request) && status == 202)
                headers.Add(new("OCI-Chunk-Min-Length", _chunked.MinChunk.ToString()));
            _requests.Enqueue(record with { Status = status, BodyBytes = exchange.Body.BytesRead });

            var length = response.Content.Headers.ContentLength;
            var noBody = request.Method == "HEAD" || status is 204 or 304 || status < 200;
            if (noBody)
            {
                if (length is { } n) headers.Add(new("Content-Length", n.ToString()));
                await exchange.Connection.WriteHeadAsync(status, headers, cancellationToken);
                return exchange.Body.Settled;
            }
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            if (rule?.Kind == FaultKind.EndlessBody)
            {
                await exchange.Connection.WriteHeadAsync(status, headers.Append(new("Transfer-Encoding", "chunked")), cancellationToken);
                await ResponseBodies.WriteEndlessAsync(exchange.Connection.Stream, cancellationToken);
                return false;
            }
            headers.Add(length is { } len ? new("Content-Length", len.ToString()) : new("Transfer-Encoding", "chunked"));
            await exchange.Connection.WriteHeadAsync(status, headers, cancellationToken);
            var stopAfter = rule?.Kind is FaultKind.Reset or FaultKind.StallBody ? rule.AfterBodyBytes : null;
            var completed = await ResponseBodies.CopyAsync(body, exchange.Connection.Stream, chunked: length is null,
                corrupt: rule?.Kind == FaultKind.CorruptBody, stopAfter: stopAfter, cancellationToken);
            if (!completed && rule?.Kind == FaultKind.StallBody)
            {
                await exchange.Connection.Stream.FlushAsync(cancellationToken);
                await ResponseBodies.WaitForCloseAsync(exchange.Connection.Stream, cancellationToken);
            }
            if (!completed) exchange.Connection.Reset();
            return completed && exchange.Body.Settled;
        }
    }

    /// <summary>Upstream's absolute Locations point back at the listener the client used; relative ones already do.</summary>
    private string Relocate(string location, HttpExchange exchange) =>
        Uri.TryCreate(location, UriKind.Absolute, out var uri) && uri.Authority == _upstream.Authority
            ? $"{exchange.ListenerScheme}://{exchange.ListenerHost}{uri.PathAndQuery}"
            : location;

    private async Task<bool> RedirectAsync(HttpExchange exchange, ProxiedRequest record, string location, CancellationToken cancellationToken)
    {
        await exchange.Body.DrainAsync(cancellationToken);
        _requests.Enqueue(record with { Status = 307 });
        await exchange.Connection.WriteResponseAsync(307, [new("Location", location)], [], cancellationToken);
        return true;
    }

    private async Task<bool> AnswerErrorAsync(HttpExchange exchange, ProxiedRequest record, int status, string message,
        IEnumerable<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        _requests.Enqueue(record with { Status = status });
        var code = status switch { 413 or 416 => "SIZE_INVALID", 429 => "TOOMANYREQUESTS", 401 => "UNAUTHORIZED", 403 => "DENIED", _ => "UNAVAILABLE" };
        var body = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new { errors = new[] { new { code, message } } }));
        await exchange.Connection.WriteResponseAsync(status, headers.Append(new("Content-Type", "application/json")), body,
            cancellationToken, headOnly: exchange.Request.Method == "HEAD");
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _front.DisposeAsync();
        await _downgrade.DisposeAsync();
        await _storage.DisposeAsync();
        _client.Dispose();
        _certificate?.Dispose();
    }
}
