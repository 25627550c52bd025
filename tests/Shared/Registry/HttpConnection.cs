using System.Net.Sockets;
using System.Text;

namespace ContainerSdk.Tests.Registry;

/// <summary>The start of one HTTP/1.1 request as it came off the wire.</summary>
internal sealed record HttpRequestHead(string Method, string Target, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public string? this[string name] =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public long? ContentLength => long.TryParse(this["Content-Length"], out var n) && n >= 0 ? n : null;

    public bool IsChunked => this["Transfer-Encoding"]?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true;

    public bool HasBody => IsChunked || ContentLength > 0;

    public bool WantsClose => string.Equals(this["Connection"], "close", StringComparison.OrdinalIgnoreCase);

    /// <summary>The path without the query, for routing.</summary>
    public string Path => Target.Split('?', 2)[0];
}

/// <summary>
/// One accepted connection of the test servers: reads request heads and bodies (Content-Length or chunked), writes
/// raw responses, and can end abruptly (a TCP reset) the way a failing network or a dying server does.
/// </summary>
internal sealed class HttpConnection : IAsyncDisposable
{
    private const int MaxLine = 64 * 1024;
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start, _end;

    public HttpConnection(Socket socket, Stream stream)
    {
        _socket = socket;
        Stream = stream;
    }

    /// <summary>The (possibly TLS) stream; responses are written straight to it.</summary>
    public Stream Stream { get; }

    /// <summary>The next request's head, or null when the client closed the connection between requests.</summary>
    public async Task<HttpRequestHead?> ReadRequestHeadAsync(CancellationToken cancellationToken)
    {
        var requestLine = await ReadLineAsync(cancellationToken, endOfStreamIsNull: true);
        if (requestLine is null) return null;
        var parts = requestLine.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            throw new InvalidDataException($"not an HTTP/1.x request line: {requestLine}");
        var headers = new List<KeyValuePair<string, string>>();
        while (await ReadLineAsync(cancellationToken) is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':');
            if (colon <= 0) throw new InvalidDataException($"bad header line: {line}");
            headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }
        return new HttpRequestHead(parts[0], parts[1], headers);
    }

    /// <summary>The request's body, not yet read.</summary>
    public RequestBody OpenBody(HttpRequestHead head) => new(this, head);

    public async Task WriteHeadAsync(int status, IEnumerable<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        var text = new StringBuilder($"HTTP/1.1 {status} {Reason(status)}\r\n");
        foreach (var (name, value) in headers) text.Append(name).Append(": ").Append(value).Append("\r\n");
        text.Append("\r\n");
        await Stream.WriteAsync(Encoding.Latin1.GetBytes(text.ToString()), cancellationToken);
    }

    /// <summary>A complete response with a fixed body.</summary>
    public async Task WriteResponseAsync(int status, IEnumerable<KeyValuePair<string, string>> headers, byte[] body,
        CancellationToken cancellationToken, bool headOnly = false)
    {
        await WriteHeadAsync(status, headers.Append(new("Content-Length", body.Length.ToString())), cancellationToken);
        if (!headOnly) await Stream.WriteAsync(body, cancellationToken);
        await Stream.FlushAsync(cancellationToken);
    }

    /// <summary>Ends the connection with a TCP reset (SO_LINGER 0), not a graceful close.</summary>
    public void Reset()
    {
        try { _socket.LingerState = new LingerOption(true, 0); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _socket.Close();
    }

    internal async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_start == _end && !await FillAsync(cancellationToken)) return 0;
        var n = Math.Min(destination.Length, _end - _start);
        _buffer.AsMemory(_start, n).CopyTo(destination);
        _start += n;
        return n;
    }

    internal async Task<string?> ReadLineAsync(CancellationToken cancellationToken, bool endOfStreamIsNull = false)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellationToken))
            {
                if (endOfStreamIsNull && line.Length == 0) return null;
                throw new EndOfStreamException("connection closed in the middle of a line");
            }
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            var stop = newline < 0 ? _end : newline;
            line.Append(Encoding.Latin1.GetString(_buffer, _start, stop - _start));
            if (line.Length > MaxLine) throw new InvalidDataException("line too long");
            if (newline < 0) { _start = _end; continue; }
            _start = newline + 1;
            return line.ToString().TrimEnd('\r');
        }
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        _end = await Stream.ReadAsync(_buffer, cancellationToken);
        return _end > 0;
    }

    private static string Reason(int status) => status switch
    {
        100 => "Continue", 200 => "OK", 201 => "Created", 202 => "Accepted", 204 => "No Content",
        206 => "Partial Content", 301 => "Moved Permanently", 302 => "Found", 307 => "Temporary Redirect",
        400 => "Bad Request", 401 => "Unauthorized", 403 => "Forbidden", 404 => "Not Found",
        405 => "Method Not Allowed", 408 => "Request Timeout", 413 => "Content Too Large",
        416 => "Range Not Satisfiable", 429 => "Too Many Requests", 500 => "Internal Server Error",
        502 => "Bad Gateway", 503 => "Service Unavailable", 504 => "Gateway Timeout",
        _ => "Status",
    };

    public async ValueTask DisposeAsync()
    {
        try { await Stream.DisposeAsync(); } catch (IOException) { } catch (ObjectDisposedException) { }
        _socket.Dispose();
    }
}
