using System.Text;

namespace ContainerSdk.Tests.Registry;

/// <summary>How the fault proxy writes response bodies: passed through, corrupted, cut short, or without end.</summary>
internal static class ResponseBodies
{
    private const int CorruptEvery = 1024;

    /// <summary>
    /// Copies upstream's body to the client (in chunked coding when upstream sent no length). Corrupting flips every
    /// 1024th byte, the first included, so the length stays and any digest breaks. Returns false when it stopped
    /// after <paramref name="stopAfter"/> bytes on purpose.
    /// </summary>
    public static async Task<bool> CopyAsync(Stream from, Stream to, bool chunked, bool corrupt, long? stopAfter, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        long offset = 0;
        while (true)
        {
            var want = stopAfter is { } stop ? (int)Math.Min(buffer.Length, stop - offset) : buffer.Length;
            if (want == 0) return false;
            var n = await from.ReadAsync(buffer.AsMemory(0, want), cancellationToken);
            if (n == 0) break;
            if (corrupt)
                for (var i = (int)((CorruptEvery - offset % CorruptEvery) % CorruptEvery); i < n; i += CorruptEvery) buffer[i] ^= 0xFF;
            await WriteAsync(to, buffer.AsMemory(0, n), chunked, cancellationToken);
            offset += n;
        }
        if (chunked) await to.WriteAsync("0\r\n\r\n"u8.ToArray(), cancellationToken);
        await to.FlushAsync(cancellationToken);
        return true;
    }

    /// <summary>Chunks of filler until the client gives up (the write fails) or the proxy stops.</summary>
    public static async Task WriteEndlessAsync(Stream to, CancellationToken cancellationToken)
    {
        var filler = new byte[64 * 1024];
        Array.Fill(filler, (byte)' ');
        try
        {
            while (true) await WriteAsync(to, filler, chunked: true, cancellationToken);
        }
        catch (IOException) { }
    }

    /// <summary>Sends nothing more and waits until the client closes the connection (or the proxy stops).</summary>
    public static async Task WaitForCloseAsync(Stream connection, CancellationToken cancellationToken)
    {
        var one = new byte[1];
        try
        {
            while (await connection.ReadAsync(one, cancellationToken) > 0) { }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException) { }
    }

    private static async Task WriteAsync(Stream to, ReadOnlyMemory<byte> data, bool chunked, CancellationToken cancellationToken)
    {
        if (chunked) await to.WriteAsync(Encoding.ASCII.GetBytes($"{data.Length:x}\r\n"), cancellationToken);
        await to.WriteAsync(data, cancellationToken);
        if (chunked) await to.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
    }
}
