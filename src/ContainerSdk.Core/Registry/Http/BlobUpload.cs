using ContainerSdk.Core.IO;
using System.Net;
using System.Net.Http.Headers;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Registry;

/// <summary>
/// One blob's upload session (the distribution spec's POST, then PUT, or PATCHes then PUT). The body is read from the
/// source again for each try, from the offset it resumes at, never held in memory. An upload whose connection drops is
/// resumed where the registry can say how far it got (GET on the session: <c>Range: 0-&lt;last byte&gt;</c>): the rest goes
/// in a PATCH with its Content-Range, then the PUT ?digest=. Where it cannot say, the caller starts over.
/// </summary>
internal sealed class BlobUpload(RegistryConnection connection, RegistryOperation operation, IReadOnlyList<string> scopes, Descriptor blob, Func<Stream> open,
    Func<RegistryOperation, HttpResponseMessage, string, string, CancellationToken, Task> ensureSuccess, IBuildLog log)
{
    // The session bytes were going into when an attempt failed (null: none, or it finished), and the size of the pieces
    // it was sent in (the whole rest for a monolithic PUT).
    private Uri? _unfinished;
    private long _pieceSize;

    /// <summary>Opens a session: its Location and the registry's smallest accepted chunk (0 when it says none).</summary>
    public async Task<(Uri Location, long MinChunk)> StartAsync(Func<Uri, Uri> url, CancellationToken cancel)
    {
        using var response = await connection.SendAsync(operation, scopes, b => new HttpRequestMessage(HttpMethod.Post, url(b)), cancel);
        await ensureSuccess(operation, response, operation.Repository, Codes.RegistryRequestFailed, cancel);
        long min = response.Headers.TryGetValues("OCI-Chunk-Min-Length", out var values) && long.TryParse(values.FirstOrDefault(), out var m) && m > 0 ? m : 0;
        return (RegistryClient.UploadLocation(operation, response), min);
    }

    /// <summary>The whole blob in one PUT. False when the registry refuses a monolithic upload (it wants chunks).</summary>
    public async Task<bool> TryMonolithicAsync(Uri location, CancellationToken cancel)
    {
        (_unfinished, _pieceSize) = (location, long.MaxValue);
        using var response = await connection.SendAsync(operation, scopes, _ =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, WithDigest(location)) { Content = FileContent(0, blob.Size) };
            // A registry that refuses the PUT says so before the body goes out, not after.
            request.Headers.ExpectContinue = blob.Size > 1 << 20;
            return request;
        }, cancel);
        _unfinished = null;
        if (response.StatusCode is HttpStatusCode.Created) return true;
        if ((int)response.StatusCode is >= 400 and < 500 and not (401 or 403 or 404)) return false;
        await ensureSuccess(operation, response, operation.Repository, Codes.RegistryRequestFailed, cancel);
        return true;
    }

    /// <summary>The blob from <paramref name="offset"/> (what the session already holds) in PATCHes of <paramref name="chunkSize"/>, then the PUT.</summary>
    public async Task ChunkedAsync(Uri location, long offset, long chunkSize, CancellationToken cancel)
    {
        _pieceSize = chunkSize;
        while (offset < blob.Size)
        {
            _unfinished = location;
            long length = Math.Min(chunkSize, blob.Size - offset);
            long at = offset;
            var current = location;
            using var response = await connection.SendAsync(operation, scopes, _ =>
            {
                var content = FileContent(at, length);
                content.Headers.TryAddWithoutValidation("Content-Range", $"{at}-{at + length - 1}");
                return new HttpRequestMessage(HttpMethod.Patch, current) { Content = content };
            }, cancel);
            await ensureSuccess(operation, response, operation.Repository, Codes.RegistryRequestFailed, cancel);
            location = RegistryClient.UploadLocation(operation, response);
            offset += length;
        }
        _unfinished = location;
        using var done = await connection.SendAsync(operation, scopes, _ =>
            new HttpRequestMessage(HttpMethod.Put, WithDigest(location)) { Content = new ByteArrayContent(Array.Empty<byte>()) }, cancel);
        await ensureSuccess(operation, done, operation.Repository, Codes.RegistryRequestFailed, cancel);
        _unfinished = null;
    }

    /// <summary>
    /// After an attempt that failed while sending: asks the session how much the registry holds and sends the rest. False
    /// (start over) when there is no such session, or the registry cannot say (no Range, "0-0", which distribution also
    /// answers for a single byte, an unknown or cancelled session) or refuses to go on from what it said.
    /// </summary>
    public async Task<bool> TryResumeAsync(CancellationToken cancel)
    {
        if (_unfinished is not { } session) return false;
        long held;
        Uri location;
        // A failure to ask (a dropped connection, a 503) leaves the session to be asked again by the next attempt.
        using (var status = await connection.SendAsync(operation, scopes, _ => new HttpRequestMessage(HttpMethod.Get, session), cancel))
        {
            _unfinished = null;
            if ((int)status.StatusCode is not (200 or 204) || HeldBytes(status) is not { } bytes || bytes > blob.Size)
            {
                log.Detail($"{operation}: the upload was cut off and the registry cannot say how much of it it holds (HTTP {(int)status.StatusCode}); it starts over.");
                return false;
            }
            held = bytes;
            location = status.Headers.Location is null ? session : RegistryClient.UploadLocation(operation, status);
        }
        log.Detail($"{operation}: the upload was cut off; the registry holds {held} of its {blob.Size} bytes, the rest is sent from there.");
        try
        {
            await ChunkedAsync(location, held, _pieceSize, cancel);
            return true;
        }
        catch (ContainerSdkException) when (_unfinished is not null && !cancel.IsCancellationRequested)
        {
            // The registry would not go on from what it said it holds (a range it refuses): a new session, from the start.
            _unfinished = null;
            log.Detail($"{operation}: the registry refused to resume the upload at byte {held}; it starts over.");
            return false;
        }
    }

    /// <summary>The bytes a session holds by its Range header, "0-&lt;last byte&gt;" (inclusive end); null when it does not say, or says "0-0".</summary>
    internal static long? HeldBytes(HttpResponseMessage status)
    {
        if (!status.Headers.TryGetValues("Range", out var values) || values.FirstOrDefault() is not { } range) return null;
        var text = range.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) ? range[6..] : range;
        var parts = text.Split('-', 2);
        if (parts.Length != 2 || parts[0].Trim() != "0" || !long.TryParse(parts[1].Trim(), out var last) || last <= 0) return null;
        return last + 1;
    }

    private Uri WithDigest(Uri location)
    {
        var builder = new UriBuilder(location);
        string digest = "digest=" + Uri.EscapeDataString(blob.Digest.ToString());
        builder.Query = builder.Query.Length > 1 ? builder.Query.TrimStart('?') + "&" + digest : digest;
        return builder.Uri;
    }

    private HttpContent FileContent(long offset, long length)
    {
        var source = open();
        source.Seek(offset, SeekOrigin.Begin);
        var content = new StreamContent(new SliceStream(source, length), 1 << 16);
        content.Headers.ContentLength = length;
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }
}
