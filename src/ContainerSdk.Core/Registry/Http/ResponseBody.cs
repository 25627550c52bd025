using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Registry;

/// <summary>
/// Reads registry responses defensively: never more than the caller expects (a hostile registry's endless body is cut at
/// the limit, not buffered), and never waiting forever on a stalled one.
/// </summary>
internal static class ResponseBody
{
    public static async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, long limit, RegistryOperation operation, string what,
        TimeSpan idleTimeout, CancellationToken cancel)
    {
        if (response.Content.Headers.ContentLength is { } declared && declared > limit)
            throw TooLarge(operation, what, limit, $"announces {declared} bytes");
        using var buffer = new MemoryStream();
        await CopyAsync(response, buffer, limit, operation, what, idleTimeout, cancel);
        return buffer.ToArray();
    }

    /// <summary>Copies the body to <paramref name="destination"/>, failing as soon as it passes <paramref name="limit"/> bytes.</summary>
    public static async Task<long> CopyAsync(HttpResponseMessage response, Stream destination, long limit, RegistryOperation operation, string what,
        TimeSpan idleTimeout, CancellationToken cancel)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancel);
        var buffer = new byte[1 << 16];
        long total = 0;
        while (true)
        {
            int n = await ReadAsync(body, buffer, idleTimeout, cancel);
            if (n == 0) return total;
            total += n;
            if (total > limit) throw TooLarge(operation, what, limit, "sends more");
            await destination.WriteAsync(buffer.AsMemory(0, n), cancel);
        }
    }

    /// <summary>An error body's text for a message: short, one line, printable (it comes from the registry, not from us).</summary>
    public static async Task<string> ErrorTextAsync(HttpResponseMessage response, CancellationToken cancel)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            var buffer = new byte[4096];
            int length = 0, n;
            while (length < buffer.Length && (n = await body.ReadAsync(buffer.AsMemory(length), timeout.Token)) > 0) length += n;
            var text = System.Text.Encoding.UTF8.GetString(buffer, 0, length);
            var summary = RegistryErrorBody.Summarize(text);
            return summary.Length > 300 ? summary[..300] + "…" : summary;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or HttpRequestException)
        {
            return "";
        }
    }

    private static async Task<int> ReadAsync(Stream body, byte[] buffer, TimeSpan idleTimeout, CancellationToken cancel)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        idle.CancelAfter(idleTimeout);
        try { return await body.ReadAsync(buffer, idle.Token); }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new TimeoutException($"no data for {idleTimeout.TotalSeconds:0} s");
        }
    }

    private static ContainerSdkException TooLarge(RegistryOperation operation, string what, long limit, string how) =>
        operation.Fail(Codes.RegistryContentInvalid, $"the registry's {what} {how} than the {limit} bytes it may have; nothing of it was kept.");
}
