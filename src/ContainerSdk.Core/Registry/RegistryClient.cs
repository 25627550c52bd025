using System.Net;
using System.Net.Http.Headers;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Registry;

/// <summary>A manifest or index as the registry sent it: the bytes are what the digest is of.</summary>
internal sealed record ManifestDocument(byte[] Json, string MediaType, Digest Digest)
{
    public bool IsIndex => MediaType is MediaTypes.ImageIndex or MediaTypes.DockerManifestList;
}

/// <summary>
/// The OCI distribution API of one registry (manifests, blobs, uploads, mounts), each call retried and its failures
/// coded. Nothing a registry sends is trusted before its digest is checked.
/// </summary>
internal sealed class RegistryClient : IDisposable
{
    private static readonly string[] ManifestTypes =
        { MediaTypes.ImageIndex, MediaTypes.ImageManifest, MediaTypes.DockerManifestList, MediaTypes.DockerManifest };

    private readonly RegistryConnection _connection;
    private readonly IBuildLog _log;
    private volatile bool _wantsChunks;
    private long _minChunk;

    public RegistryClient(string registry, RegistryOptions options, IBuildLog log)
    {
        _connection = new RegistryConnection(registry, options, log);
        _log = log;
    }

    public string Registry => _connection.Registry;
    public RegistryOptions Options => _connection.Options;

    private RegistryOperation Operation(string repository, string action) =>
        new(Registry, repository, action) { Budget = new WaitBudget(Options.OperationWaitBudget) };

    public Task<ManifestDocument> GetManifestAsync(string repository, string reference, CancellationToken cancel = default)
    {
        var operation = Operation(repository, $"pull manifest '{reference}'");
        return _connection.RetryAsync(operation, async c =>
        {
            using var response = await _connection.SendAsync(operation, RegistryConnection.PullScope(repository), b =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, Api(b, repository, "manifests/" + reference));
                foreach (var type in ManifestTypes) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
                return request;
            }, c);
            await EnsureSuccessAsync(operation, response, repository, Codes.RegistryNotFound, c);
            using var wait = BodyWait(response, operation, c);
            var json = await ResponseBody.ReadLimitedAsync(response, Options.MaxManifestSize, operation, "manifest", wait, c);
            var digest = Digest.Compute(json);
            if (Digest.TryParse(reference, out var pinned) && pinned != digest)
                throw operation.Fail(Codes.RegistryContentInvalid, $"the registry sent a manifest whose digest is {digest}; nothing of it was kept.");
            if (response.Headers.TryGetValues("Docker-Content-Digest", out var said) && said.FirstOrDefault() is { } claimed && claimed != digest.ToString())
                throw operation.Fail(Codes.RegistryContentInvalid, $"the registry says the manifest is {claimed} but its bytes are {digest}; nothing of it was kept.");
            string? declared = response.Content.Headers.ContentType?.MediaType;
            string mediaType = declared is not null && ManifestTypes.Contains(declared) ? declared : MediaTypeOf(json, declared, operation);
            return new ManifestDocument(json, mediaType, digest);
        }, cancel);
    }

    /// <summary>
    /// The referrers of <paramref name="subject"/> through the distribution spec 1.1 referrers API
    /// (<c>GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;</c>, an image index), or null when the registry answers 404: it has
    /// no such API (docker-registry 2.8, GHCR, older Harbor), and the referrers tag schema stands in for it.
    /// </summary>
    public Task<ImageIndex?> ReferrersAsync(string repository, Digest subject, CancellationToken cancel = default)
    {
        var operation = Operation(repository, $"list the referrers of {subject}");
        return _connection.RetryAsync(operation, async c =>
        {
            using var response = await _connection.SendAsync(operation, RegistryConnection.PullScope(repository), b =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, Api(b, repository, "referrers/" + subject));
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.ImageIndex));
                return request;
            }, c);
            if (response.StatusCode == HttpStatusCode.NotFound) return (ImageIndex?)null;
            await EnsureSuccessAsync(operation, response, repository, Codes.RegistryNotFound, c);
            using var wait = BodyWait(response, operation, c);
            var json = await ResponseBody.ReadLimitedAsync(response, Options.MaxManifestSize, operation, "referrers list", wait, c);
            try { return ImageIndex.Parse(json); }
            catch (FormatException e) { throw operation.Fail(Codes.RegistryContentInvalid, $"the registry's referrers list is not an image index: {e.Message}"); }
        }, cancel);
    }

    /// <summary>The blob's size when the repository has it (HEAD), else null.</summary>
    public Task<long?> BlobSizeAsync(string repository, Digest digest, CancellationToken cancel = default)
    {
        var operation = Operation(repository, $"check blob {digest}");
        return _connection.RetryAsync(operation, async c =>
        {
            using var response = await _connection.SendAsync(operation, RegistryConnection.PushScope(repository),
                b => new HttpRequestMessage(HttpMethod.Head, Api(b, repository, "blobs/" + digest)), c);
            if (response.StatusCode == HttpStatusCode.NotFound) return (long?)null;
            await EnsureSuccessAsync(operation, response, repository, Codes.RegistryRequestFailed, c);
            return response.Content.Headers.ContentLength ?? 0;
        }, cancel);
    }

    /// <summary>
    /// Whether the repository holds the blob as described, by its HEAD answer alone: the size and the
    /// Docker-Content-Digest it states must both be the descriptor's (an answer without the digest vouches for nothing).
    /// What a publish-only build trusts a registry cache's entry by, instead of reading the blob.
    /// </summary>
    public Task<bool> VouchesForBlobAsync(string repository, Descriptor descriptor, CancellationToken cancel = default)
    {
        var operation = Operation(repository, $"check blob {descriptor.Digest}");
        return _connection.RetryAsync(operation, async c =>
        {
            using var response = await _connection.SendAsync(operation, RegistryConnection.PullScope(repository),
                b => new HttpRequestMessage(HttpMethod.Head, Api(b, repository, "blobs/" + descriptor.Digest)), c);
            if (response.StatusCode == HttpStatusCode.NotFound) return false;
            await EnsureSuccessAsync(operation, response, repository, Codes.RegistryRequestFailed, c);
            return response.Content.Headers.ContentLength == descriptor.Size
                   && response.Headers.TryGetValues("Docker-Content-Digest", out var said) && said.FirstOrDefault() == descriptor.Digest.ToString();
        }, cancel);
    }

    /// <summary>
    /// A blob's bytes from <paramref name="offset"/> on, as the registry sends them (a Range request past 0), to be passed
    /// on without touching the disk: a push to another registry, which checks the digest of what it receives.
    /// The caller disposes the response.
    /// </summary>
    public Task<HttpResponseMessage> OpenBlobAsync(string repository, Descriptor descriptor, long offset, CancellationToken cancel = default)
    {
        var operation = Operation(repository, $"pull blob {descriptor.Digest}");
        return _connection.RetryAsync(operation, async c =>
        {
            var response = await _connection.SendAsync(operation, RegistryConnection.PullScope(repository), b =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, Api(b, repository, "blobs/" + descriptor.Digest));
                if (offset > 0) request.Headers.Range = new RangeHeaderValue(offset, null);
                return request;
            }, c);
            try
            {
                await EnsureSuccessAsync(operation, response, repository, Codes.RegistryNotFound, c);
                bool partial = response.StatusCode == HttpStatusCode.PartialContent;
                if (offset > 0 && !partial)
                    throw operation.Fail(Codes.RegistryRequestFailed, $"the registry sent the whole blob when asked for its bytes from {offset} on.");
                if (response.Content.Headers.ContentLength is { } declared && declared != descriptor.Size - offset)
                    throw operation.Fail(Codes.RegistryContentInvalid, $"the registry sends {declared} bytes for a blob of {descriptor.Size} from byte {offset}; nothing of it was passed on.");
                return response;
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }, cancel);
    }

    /// <summary>Downloads a blob into the store, digest-checked as it is written; follows the registry's redirect to its storage.</summary>
    public Task<string> DownloadBlobAsync(string repository, Descriptor descriptor, BlobStore store, CancellationToken cancel = default)
    {
        var operation = Operation(repository, $"pull blob {descriptor.Digest}");
        return _connection.RetryAsync(operation, async c =>
        {
            using var response = await _connection.SendAsync(operation, RegistryConnection.PullScope(repository),
                b => new HttpRequestMessage(HttpMethod.Get, Api(b, repository, "blobs/" + descriptor.Digest)), c);
            await EnsureSuccessAsync(operation, response, repository, Codes.RegistryNotFound, c);
            if (response.Content.Headers.ContentLength is { } declared && declared != descriptor.Size)
                throw operation.Fail(Codes.RegistryContentInvalid, $"the registry sends {declared} bytes for a blob of {descriptor.Size}; nothing of it was kept.");
            using var wait = BodyWait(response, operation, c);
            return await store.WriteAsync(descriptor,
                target => ResponseBody.CopyAsync(response, target, descriptor.Size, operation, "blob", wait, c),
                why => operation.Fail(Codes.RegistryContentInvalid, $"the blob the registry sent is not the one asked for: {why}; nothing of it was kept."));
        }, cancel);
    }

    /// <summary>Asks the registry to link a blob that another of its repositories holds (no bytes sent). Null when mounted,
    /// else the upload session the registry opened instead.</summary>
    public Task<Uri?> MountBlobAsync(string repository, Digest digest, string fromRepository, CancellationToken cancel = default)
    {
        var operation = Operation(repository, $"mount blob {digest} from '{fromRepository}'");
        var scopes = RegistryConnection.PushScope(repository).Concat(RegistryConnection.PullScope(fromRepository)).ToArray();
        return _connection.RetryAsync(operation, async c =>
        {
            using var response = await _connection.SendAsync(operation, scopes, b => new HttpRequestMessage(HttpMethod.Post,
                Api(b, repository, $"blobs/uploads/?mount={Uri.EscapeDataString(digest.ToString())}&from={Uri.EscapeDataString(fromRepository)}")), c);
            if (response.StatusCode == HttpStatusCode.Created) return null;
            await EnsureSuccessAsync(operation, response, repository, Codes.RegistryRequestFailed, c);
            return UploadLocation(operation, response);
        }, cancel);
    }

    /// <summary>
    /// Uploads a blob from a seekable stream (opened again for each try): in one PUT, or in PATCH chunks of at least the registry's OCI-Chunk-Min-Length where it
    /// refuses that. <paramref name="session"/> is an upload the registry already opened (a refused mount).
    /// </summary>
    public Task UploadBlobAsync(string repository, Descriptor descriptor, Func<Stream> open, Uri? session = null, CancellationToken cancel = default)
    {
        var operation = Operation(repository, $"push blob {descriptor.Digest}");
        var upload = new BlobUpload(_connection, operation, RegistryConnection.PushScope(repository), descriptor, open, EnsureSuccessAsync, _log);
        var sessions = Api(repository, "blobs/uploads/");
        return _connection.RetryAsync(operation, async c =>
        {
            // Cut off in an earlier attempt: the registry may hold part of it already.
            if (await upload.TryResumeAsync(c)) return true;
            var (location, min) = session is { } open ? (open, 0L) : await upload.StartAsync(sessions, c);
            session = null;
            if (!_wantsChunks)
            {
                if (await upload.TryMonolithicAsync(location, c)) return true;
                // Learnt once per registry: the next blobs go in chunks straight away, not twice.
                _wantsChunks = true;
                (location, min) = await upload.StartAsync(sessions, c);
            }
            if (min > 0) _minChunk = min;
            await upload.ChunkedAsync(location, 0, Math.Max(_minChunk, Options.ChunkSize), c);
            return true;
        }, cancel);
    }

    /// <summary>Puts a manifest under a tag (or its digest); the registry must agree on its digest.</summary>
    public Task PutManifestAsync(string repository, string reference, byte[] json, string mediaType, CancellationToken cancel = default)
    {
        var operation = Operation(repository, $"push manifest '{reference}'");
        var digest = Digest.Compute(json);
        return _connection.RetryAsync(operation, async c =>
        {
            using var response = await _connection.SendAsync(operation, RegistryConnection.PushScope(repository), b =>
            {
                var content = new ByteArrayContent(json);
                content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
                return new HttpRequestMessage(HttpMethod.Put, Api(b, repository, "manifests/" + reference)) { Content = content };
            }, c);
            await EnsureSuccessAsync(operation, response, repository, Codes.RegistryRequestFailed, c);
            if (response.Headers.TryGetValues("Docker-Content-Digest", out var said) && said.FirstOrDefault() is { } claimed && claimed != digest.ToString())
                throw operation.Fail(Codes.RegistryContentInvalid, $"the registry stored the manifest as {claimed}, not as its digest {digest}.");
            return true;
        }, cancel);
    }

    internal static Uri Api(Uri baseUri, string repository, string rest) => new(baseUri, $"v2/{repository}/{rest}");

    private static Func<Uri, Uri> Api(string repository, string rest) => b => Api(b, repository, rest);

    internal static Uri UploadLocation(RegistryOperation operation, HttpResponseMessage response)
    {
        if (response.Headers.Location is not { } location)
            throw operation.Fail(Codes.RegistryRequestFailed, "the registry opened an upload but gave no Location for it.");
        return location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location);
    }

    /// <summary>Turns an unsuccessful response into the coded error for it.</summary>
    private async Task EnsureSuccessAsync(RegistryOperation operation, HttpResponseMessage response, string repository, string notFoundCode, CancellationToken cancel)
    {
        if (response.IsSuccessStatusCode) return;
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw _connection.Unauthorized(operation, response, repository);
        string detail = await ResponseBody.ErrorTextAsync(response, cancel);
        throw operation.Fail(response.StatusCode == HttpStatusCode.NotFound ? notFoundCode : Codes.RegistryRequestFailed, response.StatusCode, detail);
    }

    /// <summary>A wait for the next piece of a response body, from whichever host sends it (the registry, or its storage).</summary>
    private AnswerWait BodyWait(HttpResponseMessage response, RegistryOperation operation, CancellationToken cancel) =>
        _connection.Wait(response.RequestMessage?.RequestUri ?? new Uri($"https://{Registry}/"), operation.Action, operation, cancel, Options.BodyIdleTimeout);

    /// <summary>Content types that say nothing about the manifest: its own mediaType, or its shape, tells.</summary>
    private static readonly string[] GenericTypes = { "application/json", "text/plain", "application/octet-stream" };

    /// <summary>
    /// The manifest's media type when the Content-Type did not name a known one: the document's own mediaType, else (OCI lets it
    /// be left out) its shape. A type the SDK cannot read (a schema 1 manifest, an artifact) is CSDK6013, naming it.
    /// </summary>
    private static string MediaTypeOf(byte[] json, string? declared, RegistryOperation operation)
    {
        string? named = null;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object)
            {
                if (doc.RootElement.TryGetProperty("mediaType", out var m) && m.ValueKind == System.Text.Json.JsonValueKind.String) named = m.GetString();
                if (named is not null && ManifestTypes.Contains(named)) return named;
                if (named is null && (declared is null || GenericTypes.Contains(declared)))
                {
                    if (doc.RootElement.TryGetProperty("manifests", out _)) return MediaTypes.ImageIndex;
                    if (doc.RootElement.TryGetProperty("layers", out _)) return MediaTypes.ImageManifest;
                }
            }
        }
        catch (System.Text.Json.JsonException) { }
        if ((named ?? (declared is not null && !GenericTypes.Contains(declared) ? declared : null)) is { } unknown)
            throw operation.Fail(Codes.RegistryManifestTypeUnknown,
                $"the manifest's media type is '{RegistryErrorBody.Printable(unknown, 200, '?')}', which cannot be read: expected an OCI image manifest or index ({MediaTypes.ImageManifest}, " +
                $"{MediaTypes.ImageIndex}) or a Docker v2 one ({MediaTypes.DockerManifest}, {MediaTypes.DockerManifestList}).");
        throw operation.Fail(Codes.RegistryContentInvalid, "the registry's answer is not an image manifest or index.");
    }

    public void Dispose() => _connection.Dispose();
}
