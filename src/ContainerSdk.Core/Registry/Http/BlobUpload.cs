using ContainerSdk.Core.IO;
using System.Net;
using System.Net.Http.Headers;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Registry;

/// <summary>
/// One blob's upload session (the distribution spec's POST, then PUT, or PATCHes then PUT). The body is read from the
/// source again for each try, never held in memory.
/// </summary>
internal sealed class BlobUpload(RegistryConnection connection, RegistryOperation operation, IReadOnlyList<string> scopes, Descriptor blob, Func<Stream> open,
    Func<RegistryOperation, HttpResponseMessage, string, string, CancellationToken, Task> ensureSuccess)
{
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
        using var response = await connection.SendAsync(operation, scopes, _ =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, WithDigest(location)) { Content = FileContent(0, blob.Size) };
            // A registry that refuses the PUT says so before the body goes out, not after.
            request.Headers.ExpectContinue = blob.Size > 1 << 20;
            return request;
        }, cancel);
        if (response.StatusCode is HttpStatusCode.Created) return true;
        if ((int)response.StatusCode is >= 400 and < 500 and not (401 or 403 or 404)) return false;
        await ensureSuccess(operation, response, operation.Repository, Codes.RegistryRequestFailed, cancel);
        return true;
    }

    public async Task ChunkedAsync(Uri location, long chunkSize, CancellationToken cancel)
    {
        for (long offset = 0; offset < blob.Size;)
        {
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
        using var done = await connection.SendAsync(operation, scopes, _ =>
            new HttpRequestMessage(HttpMethod.Put, WithDigest(location)) { Content = new ByteArrayContent(Array.Empty<byte>()) }, cancel);
        await ensureSuccess(operation, done, operation.Repository, Codes.RegistryRequestFailed, cancel);
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
