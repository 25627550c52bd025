using System.Collections.Concurrent;
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
    public FaultKind? Fault { get; init; }
}

/// <summary>
/// An HTTP/1.1 reverse proxy on 127.0.0.1 in front of a registry (plain HTTP on both sides) that injects the
/// faults of a <see cref="FaultPlan"/>. Location headers from upstream are rewritten to point at the proxy.
/// A second listener, <see cref="DowngradeHost"/>, is where <see cref="FaultPlan.DowngradeLocation"/> sends
/// clients; it forwards too, so a test sees whether a client followed it (and with which headers).
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

    private FaultProxy(string upstreamHost, FaultPlan plan)
    {
        _upstream = new Uri($"http://{upstreamHost}/");
        _plan = plan;
        _chunked = plan.ChunkMinLength is { } min ? new ChunkedUploadPolicy(min) : null;
        _client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false, UseCookies = false, UseProxy = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        }) { Timeout = Timeout.InfiniteTimeSpan };
        _front = new LoopbackHttpServer((exchange, ct) => HandleAsync(exchange, applyPlan: true, ct));
        _downgrade = new LoopbackHttpServer((exchange, ct) => HandleAsync(exchange, applyPlan: false, ct));
    }

    /// <summary>"127.0.0.1:PORT": put it where the registry's host would go.</summary>
    public string Host => _front.Host;

    public Uri BaseUri => new($"http://{Host}/");

    /// <summary>The other listener ("127.0.0.1:PORT") that DowngradeLocation redirects to.</summary>
    public string DowngradeHost => _downgrade.Host;

    /// <summary>The plan, whose rules say how many firings each has left.</summary>
    public FaultPlan Plan => _plan;

    /// <summary>Every request so far, on either listener, in the order they were answered.</summary>
    public IReadOnlyList<ProxiedRequest> Requests => _requests.ToArray();

    // No CancellationToken on purpose, like RegistryServer.StartAsync: starting is immediate.
    public static Task<FaultProxy> StartAsync(string upstreamHost, FaultPlan plan) => Task.FromResult(new FaultProxy(upstreamHost, plan));

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
            case FaultKind.Fail:
                await exchange.Body.DrainAsync(cancellationToken);
                var headers = rule.RetryAfter is { } wait ? [new("Retry-After", ((int)Math.Ceiling(wait.TotalSeconds)).ToString())] : Array.Empty<KeyValuePair<string, string>>();
                return await AnswerErrorAsync(exchange, record, rule.Status, "injected by FaultProxy", headers, cancellationToken);
            case FaultKind.RedirectLoop:
                return await RedirectAsync(exchange, record, $"http://{exchange.ListenerHost}{request.Target}", cancellationToken);
            case FaultKind.DowngradeLocation:
                return await RedirectAsync(exchange, record, $"http://{DowngradeHost}{request.Target}", cancellationToken);
            case FaultKind.Delay:
                await Task.Delay(rule.Delay, cancellationToken);
                break;
        }

        if (_chunked?.Refusal(request) is { } refusal)
        {
            await exchange.Body.DrainAsync(cancellationToken);
            return await AnswerErrorAsync(exchange, record, refusal, $"this registry takes blobs in chunks of at least {_chunked.MinChunk} bytes",
                [new("OCI-Chunk-Min-Length", _chunked.MinChunk.ToString())], cancellationToken);
        }
        return await ForwardAsync(exchange, record, rule, cancellationToken);
    }

    private async Task<bool> ForwardAsync(HttpExchange exchange, ProxiedRequest record, FaultRule? rule, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_upstream, request.Target));
        if (request.HasBody || request.ContentLength == 0 && request.Method is "PUT" or "POST" or "PATCH")
            message.Content = exchange.Body.AsContent();
        foreach (var (name, value) in request.Headers.Where(h => !HopByHop.Contains(h.Key)))
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
                .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, h.Key.Equals("Location", StringComparison.OrdinalIgnoreCase) ? Relocate(v, exchange.ListenerHost) : v)))
                .ToList();
            if (_chunked is not null && ChunkedUploadPolicy.StartsSession(request) && status == 202)
                headers.Add(new("OCI-Chunk-Min-Length", _chunked.MinChunk.ToString()));
            _requests.Enqueue(record with { Status = status });

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
            var resetAfter = rule?.Kind == FaultKind.Reset ? rule.AfterBodyBytes : null;
            var completed = await ResponseBodies.CopyAsync(body, exchange.Connection.Stream, chunked: length is null,
                corrupt: rule?.Kind == FaultKind.CorruptBody, stopAfter: resetAfter, cancellationToken);
            if (!completed) exchange.Connection.Reset();
            return completed && exchange.Body.Settled;
        }
    }

    /// <summary>Upstream's absolute Locations point back at the listener the client used; relative ones already do.</summary>
    private string Relocate(string location, string listenerHost) =>
        Uri.TryCreate(location, UriKind.Absolute, out var uri) && uri.Authority == _upstream.Authority
            ? $"http://{listenerHost}{uri.PathAndQuery}"
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
        _client.Dispose();
    }
}
