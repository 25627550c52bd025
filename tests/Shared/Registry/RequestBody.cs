using System.Globalization;
using System.Net;

namespace ContainerSdk.Tests.Registry;

/// <summary>
/// A request's body, still on the connection: Content-Length bytes or chunked transfer coding. It is copied once
/// (to a file, upstream, or nowhere), so the next request on a kept connection starts in the right place.
/// </summary>
internal sealed class RequestBody(HttpConnection connection, HttpRequestHead head)
{
    private bool _consumed;

    /// <summary>When above 0, the body is read no faster than this (a slow link).</summary>
    public long BytesPerSecond { get; set; }

    /// <summary>How many body bytes were copied (once a copy finished).</summary>
    public long BytesRead { get; private set; }

    /// <summary>False when a copy started and did not finish (upstream answered early): the connection is out of step.</summary>
    public bool Settled => !_consumed || _finished;

    private bool _finished;

    /// <summary>Copies the body and returns how many bytes it had.</summary>
    public async Task<long> CopyToAsync(Stream destination, CancellationToken cancellationToken)
    {
        if (_consumed) throw new InvalidOperationException("the request body was already read");
        _consumed = true;
        if (!head.IsChunked)
        {
            BytesRead = await CopyAsync(head.ContentLength ?? 0, destination, cancellationToken);
            _finished = true;
            return BytesRead;
        }
        long total = 0;
        while (true)
        {
            var sizeLine = await connection.ReadLineAsync(cancellationToken) ?? "";
            var size = long.Parse(sizeLine.Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0) break;
            total += await CopyAsync(size, destination, cancellationToken);
            await connection.ReadLineAsync(cancellationToken); // the CRLF after the chunk data
        }
        while (await connection.ReadLineAsync(cancellationToken) is { Length: > 0 }) { } // trailers
        _finished = true;
        return BytesRead = total;
    }

    public async Task<byte[]> ReadAllAsync(CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>Skips what nobody read.</summary>
    public Task DrainAsync(CancellationToken cancellationToken) =>
        _consumed ? Task.CompletedTask : CopyToAsync(Stream.Null, cancellationToken);

    /// <summary>The body as HttpContent, streamed upstream as it arrives (its length kept when the client sent one).</summary>
    public HttpContent AsContent() => new StreamedContent(this, head.IsChunked ? null : head.ContentLength ?? 0);

    private async Task<long> CopyAsync(long length, Stream destination, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var left = length; left > 0;)
        {
            var n = await connection.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
            if (n == 0) throw new EndOfStreamException($"connection closed with {left} body bytes still to come");
            await destination.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            left -= n;
            if (BytesPerSecond > 0)
            {
                var due = TimeSpan.FromSeconds((double)(length - left) / BytesPerSecond) - clock.Elapsed;
                if (due > TimeSpan.Zero) await Task.Delay(due, cancellationToken);
            }
        }
        return length;
    }

    private sealed class StreamedContent(RequestBody body, long? length) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
            body.CopyToAsync(stream, cancellationToken);

        protected override bool TryComputeLength(out long computed)
        {
            computed = length ?? 0;
            return length is not null;
        }
    }
}
