using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace ContainerSdk.Tests.Registry;

/// <summary>What a <see cref="HostileRegistry"/> plays; each switch is one way a registry or the hosts around it misbehave.</summary>
public sealed record HostileRegistryOptions
{
    /// <summary>A Basic-auth registry: this user and password, or none (anonymous).</summary>
    public (string User, string Password)? Basic { get; init; }

    /// <summary>The one blob it serves at /v2/site/blobs/&lt;digest&gt;.</summary>
    public byte[] Blob { get; init; } = [];

    /// <summary>More blobs it serves by their digest (an image's config and layers).</summary>
    public IReadOnlyList<byte[]> Blobs { get; init; } = [];

    /// <summary>Manifests by tag: the Content-Type they are sent with and their bytes.</summary>
    public IReadOnlyDictionary<string, (string ContentType, byte[] Json)> Manifests { get; init; } = new Dictionary<string, (string, byte[])>();

    /// <summary>Blob GETs are answered 307 to the storage host, as registries send downloads to S3-like storage.</summary>
    public bool BlobOnStorage { get; init; }

    /// <summary>The storage host answers 401 with a Bearer challenge whose realm is a third host (the "foreign realm").</summary>
    public bool StorageAsksForForeignToken { get; init; }

    /// <summary>The registry's challenge is Bearer, its realm a token server that reads the request and never answers.</summary>
    public bool SilentTokenServer { get; init; }

    /// <summary>A blob GET gets its headers and a first few bytes, then nothing, the connection left open.</summary>
    public bool BlobStalls { get; init; }

    /// <summary>An upload request's body is cut (TCP reset) after this many of its bytes, <see cref="Drops"/> times.</summary>
    public long? DropUploadAfter { get; init; }

    public int Drops { get; init; } = 1;

    /// <summary>GET on an upload session answers its progress (Range: 0-&lt;last byte&gt;), as the OCI distribution spec has it;
    /// false: 404 BLOB_UPLOAD_UNKNOWN, a registry that cannot say.</summary>
    public bool ReportsUploadProgress { get; init; } = true;
}

/// <summary>A request one of the hostile listeners got: which ("registry", "storage", "realm", "silent"), what, with which Authorization.</summary>
public sealed record HostileRequest(string Listener, string Method, string Target, string? Authorization);

/// <summary>
/// A registry on 127.0.0.1 played by the test process, with the hosts around it (a storage host, a foreign token realm, a
/// silent token server), for what a real registry will not do on request: send credentials' challenges from a storage
/// host, go silent, cut an upload at byte N and keep what came. It speaks just enough of the distribution API for one
/// repository, "site": /v2/, blob GET and HEAD, and upload sessions (POST, PATCH with Content-Range, PUT ?digest=, GET
/// progress). Everything stops when it is disposed, or with the test process.
/// </summary>
public sealed class HostileRegistry : IAsyncDisposable
{
    private readonly HostileRegistryOptions _options;
    private readonly LoopbackHttpServer _registry;
    private readonly LoopbackHttpServer _storage;
    private readonly LoopbackHttpServer _realm;
    private readonly LoopbackHttpServer _silent;
    private readonly ConcurrentQueue<HostileRequest> _requests = new();
    private readonly ConcurrentDictionary<string, MemoryStream> _sessions = new();
    private readonly ConcurrentDictionary<string, byte[]> _blobs = new();
    private long _uploadBytes;
    private int _dropsLeft;
    private int _nextSession;

    private HostileRegistry(HostileRegistryOptions options)
    {
        _options = options;
        _dropsLeft = options.Drops;
        _registry = new LoopbackHttpServer((e, ct) => Record("registry", e, ServeRegistryAsync, ct));
        _storage = new LoopbackHttpServer((e, ct) => Record("storage", e, ServeStorageAsync, ct));
        _realm = new LoopbackHttpServer((e, ct) => Record("realm", e, ServeForeignRealmAsync, ct));
        _silent = new LoopbackHttpServer((e, ct) => Record("silent", e, ServeNothingAsync, ct));
    }

    public static HostileRegistry Start(HostileRegistryOptions options) => new(options);

    /// <summary>"127.0.0.1:PORT" of the registry.</summary>
    public string Host => _registry.Host;
    public string StorageHost => _storage.Host;
    public string ForeignRealmHost => _realm.Host;
    public string SilentHost => _silent.Host;

    public string BlobDigest => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(_options.Blob));

    /// <summary>Every request so far, on any listener, in the order they came.</summary>
    public IReadOnlyList<HostileRequest> Requests => _requests.ToArray();

    /// <summary>Upload body bytes received, across every request and session (what a client sent in all).</summary>
    public long UploadBytesReceived => Interlocked.Read(ref _uploadBytes);

    /// <summary>A blob that was pushed and committed (its digest checked), or null.</summary>
    public byte[]? Pushed(string digest) => _blobs.GetValueOrDefault(digest);

    private async Task<bool> Record(string listener, HttpExchange exchange, Func<HttpExchange, CancellationToken, Task<bool>> serve, CancellationToken cancel)
    {
        _requests.Enqueue(new HostileRequest(listener, exchange.Request.Method, exchange.Request.Target, exchange.Request["Authorization"]));
        return await serve(exchange, cancel);
    }

    private async Task<bool> ServeRegistryAsync(HttpExchange exchange, CancellationToken cancel)
    {
        var request = exchange.Request;
        if (_options.SilentTokenServer && request["Authorization"] is null)
            return await AnswerAsync(exchange, 401, [new("WWW-Authenticate", $"Bearer realm=\"http://{SilentHost}/token\",service=\"hostile\"")], cancel);
        if (_options.Basic is var (user, password)
            && request["Authorization"] != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")))
            return await AnswerAsync(exchange, 401, [new("WWW-Authenticate", "Basic realm=\"hostile registry\"")], cancel);

        var path = request.Path;
        if (path == "/v2/") return await AnswerAsync(exchange, 200, [], cancel);
        if (path.StartsWith("/v2/site/manifests/", StringComparison.Ordinal))
            return _options.Manifests.TryGetValue(path["/v2/site/manifests/".Length..], out var manifest)
                ? await AnswerAsync(exchange, 200, [new("Content-Type", manifest.ContentType)], cancel, manifest.Json)
                : await AnswerAsync(exchange, 404, [], cancel, Error("MANIFEST_UNKNOWN"));
        if (path.StartsWith("/v2/site/blobs/uploads/", StringComparison.Ordinal)) return await ServeUploadAsync(exchange, path["/v2/site/blobs/uploads/".Length..], cancel);
        if (path.StartsWith("/v2/site/blobs/", StringComparison.Ordinal))
        {
            var digest = path["/v2/site/blobs/".Length..];
            var blob = digest == BlobDigest ? _options.Blob
                : _options.Blobs.FirstOrDefault(b => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(b)) == digest) ?? _blobs.GetValueOrDefault(digest);
            if (blob is null) return await AnswerAsync(exchange, 404, [], cancel, Error("BLOB_UNKNOWN"));
            if (request.Method == "HEAD") return await AnswerAsync(exchange, 200, [new("Docker-Content-Digest", digest)], cancel, blob, headOnly: true);
            if (_options.BlobOnStorage)
                return await AnswerAsync(exchange, 307, [new("Location", $"http://{StorageHost}/blobs/{digest}?signature=0123")], cancel);
            if (_options.BlobStalls)
            {
                await exchange.Connection.WriteHeadAsync(200, [new("Content-Length", blob.Length.ToString()), new("Docker-Content-Digest", digest)], cancel);
                await exchange.Connection.Stream.WriteAsync(blob.AsMemory(0, Math.Min(100, blob.Length)), cancel);
                await exchange.Connection.Stream.FlushAsync(cancel);
                await Task.Delay(Timeout.Infinite, cancel);
            }
            return await AnswerAsync(exchange, 200, [new("Docker-Content-Digest", digest)], cancel, blob);
        }
        return await AnswerAsync(exchange, 404, [], cancel, Error("NAME_UNKNOWN"));
    }

    private async Task<bool> ServeUploadAsync(HttpExchange exchange, string id, CancellationToken cancel)
    {
        var request = exchange.Request;
        if (request.Method == "POST" && id.Length == 0)
        {
            var created = Interlocked.Increment(ref _nextSession).ToString();
            _sessions[created] = new MemoryStream();
            return await AnswerAsync(exchange, 202, Session(created), cancel);
        }
        if (!_sessions.TryGetValue(id, out var session)) return await AnswerAsync(exchange, 404, [], cancel, Error("BLOB_UPLOAD_UNKNOWN"));
        switch (request.Method)
        {
            case "GET":
                if (!_options.ReportsUploadProgress) return await AnswerAsync(exchange, 404, [], cancel, Error("BLOB_UPLOAD_UNKNOWN"));
                return await AnswerAsync(exchange, 204, Session(id), cancel);
            case "PATCH":
                if (request["Content-Range"] is { } range && long.Parse(range.Split('-')[0]) != session.Length)
                    return await AnswerAsync(exchange, 416, Session(id), cancel, Error("BLOB_UPLOAD_INVALID"));
                if (!await ReceiveAsync(exchange, session, cancel)) return false;
                return await AnswerAsync(exchange, 202, Session(id), cancel);
            case "PUT":
                if (!await ReceiveAsync(exchange, session, cancel)) return false;
                var digest = System.Web.HttpUtility.ParseQueryString(request.Target.Split('?', 2)[1])["digest"];
                var bytes = session.ToArray();
                _sessions.TryRemove(id, out _);
                if ("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)) != digest)
                    return await AnswerAsync(exchange, 400, [], cancel, Error("DIGEST_INVALID"));
                _blobs[digest!] = bytes;
                return await AnswerAsync(exchange, 201, [new("Location", $"/v2/site/blobs/{digest}"), new("Docker-Content-Digest", digest!)], cancel);
            default:
                return await AnswerAsync(exchange, 405, [], cancel);
        }
    }

    private List<KeyValuePair<string, string>> Session(string id)
    {
        long held = _sessions.TryGetValue(id, out var s) ? s.Length : 0;
        return [new("Location", $"/v2/site/blobs/uploads/{id}"), new("Docker-Upload-UUID", id), new("Range", $"0-{Math.Max(0, held - 1)}")];
    }

    /// <summary>Takes the request body into the session; false when it was cut on purpose (the connection is reset, what came is kept).</summary>
    private async Task<bool> ReceiveAsync(HttpExchange exchange, MemoryStream session, CancellationToken cancel)
    {
        if (exchange.Request["Expect"]?.Contains("100-continue", StringComparison.OrdinalIgnoreCase) == true)
        {
            await exchange.Connection.Stream.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), cancel);
            await exchange.Connection.Stream.FlushAsync(cancel);
        }
        long? cutAt = _options.DropUploadAfter is { } after && exchange.Request.ContentLength > after && Interlocked.Decrement(ref _dropsLeft) >= 0 ? after : null;
        var target = new CuttingStream(session, cutAt, n => Interlocked.Add(ref _uploadBytes, n));
        try { await exchange.Body.CopyToAsync(target, cancel); }
        catch (BodyCutException)
        {
            exchange.Connection.Reset();
            return false;
        }
        return true;
    }

    private async Task<bool> ServeStorageAsync(HttpExchange exchange, CancellationToken cancel)
    {
        if (_options.StorageAsksForForeignToken)
            return await AnswerAsync(exchange, 401,
                [new("WWW-Authenticate", $"Bearer realm=\"http://{ForeignRealmHost}/steal\",service=\"evil\",scope=\"repository:base:pull\"")], cancel, Error("UNAUTHORIZED"));
        return await AnswerAsync(exchange, 200, [], cancel, _options.Blob);
    }

    private static Task<bool> ServeForeignRealmAsync(HttpExchange exchange, CancellationToken cancel) =>
        AnswerAsync(exchange, 200, [new("Content-Type", "application/json")], cancel, """{"token":"stolen-token","expires_in":300}"""u8.ToArray());

    private static async Task<bool> ServeNothingAsync(HttpExchange exchange, CancellationToken cancel)
    {
        await Task.Delay(Timeout.Infinite, cancel);
        return false;
    }

    private static byte[] Error(string code) => Encoding.UTF8.GetBytes($$"""{"errors":[{"code":"{{code}}","message":"hostile registry"}]}""");

    private static async Task<bool> AnswerAsync(HttpExchange exchange, int status, IEnumerable<KeyValuePair<string, string>> headers, CancellationToken cancel,
        byte[]? body = null, bool headOnly = false)
    {
        await exchange.Connection.WriteResponseAsync(status, headers, body ?? [], cancel, headOnly: headOnly || exchange.Request.Method == "HEAD");
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _registry.DisposeAsync();
        await _storage.DisposeAsync();
        await _realm.DisposeAsync();
        await _silent.DisposeAsync();
    }
}
