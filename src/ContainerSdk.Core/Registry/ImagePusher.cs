using System.Diagnostics;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Registry;

/// <summary>A blob to push: how to read its bytes (a seekable stream, opened again for each try), and a repository of the
/// same registry that may already hold it (mounted, not sent).</summary>
internal sealed record PushBlob(Descriptor Descriptor, Func<Stream> Open, string? MountFrom = null)
{
    public static PushBlob FromFile(Descriptor descriptor, string path, string? mountFrom = null) =>
        new(descriptor, () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan), mountFrom);
}

/// <summary>What a push did: the manifest's digest (the local one: the bytes are sent as they are) and what each blob cost.</summary>
internal sealed record PushResult(Digest Digest, int Sent, int Mounted, int Present, long BytesSent)
{
    public long BytesMounted { get; init; }
    public long BytesPresent { get; init; }

    /// <summary>What the push cost, as the publish line says it: <c>3 blobs sent (60.1 MiB), 1 mounted (2.0 MiB), 1 already there (1.1 KiB)</c>.</summary>
    public string Summary => $"{Blobs(Sent)} sent{Bytes(Sent, BytesSent)}, {Mounted} mounted{Bytes(Mounted, BytesMounted)}, {Present} already there{Bytes(Present, BytesPresent)}";

    private static string Blobs(int count) => count == 1 ? "1 blob" : $"{count} blobs";
    private static string Bytes(int count, long bytes) => count == 0 ? "" : $" ({Sizes.Format(bytes)})";
}

/// <summary>
/// Pushes an image: every blob first (HEAD, then a mount from <see cref="PushBlob.MountFrom"/>, then an upload), a bounded
/// number at once, then the manifest under each tag, so that no tag ever names a manifest whose blobs are not there yet.
/// </summary>
internal sealed class ImagePusher
{
    private readonly RegistryOptions _options;
    private readonly IBuildLog _log;

    public ImagePusher(RegistryOptions options, IBuildLog log)
    {
        _options = options;
        _log = log;
    }

    public async Task<PushResult> PushAsync(string registry, string repository, IReadOnlyList<string> tags, byte[] manifestJson, string manifestMediaType,
        IReadOnlyList<PushBlob> blobs, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        using var client = new RegistryClient(registry, _options, _log);
        int sent = 0, mounted = 0, present = 0;
        long bytesSent = 0, bytesMounted = 0, bytesPresent = 0;
        using var slots = new SemaphoreSlim(_options.MaxParallelTransfers);
        var distinct = blobs.DistinctBy(b => b.Descriptor.Digest).ToList();
        long total = distinct.Sum(b => b.Descriptor.Size);
        int done = 0;
        long bytesDone = 0;
        // A long push (a large layer, a slow link) says how far it is, by the blobs finished so far.
        using var ticker = new ProgressTicker(_log, _options.ProgressInterval, elapsed =>
            $"Pushing {registry}/{repository}: {Volatile.Read(ref done)} of {distinct.Count} blobs done, {Sizes.Format(Interlocked.Read(ref bytesDone))} of {Sizes.Format(total)}, {elapsed.TotalSeconds:0} s");
        await Task.WhenAll(distinct.Select(async blob =>
        {
            await slots.WaitAsync(cancel);
            try
            {
                var started = Stopwatch.StartNew();
                var outcome = await PushBlobAsync(client, repository, blob, cancel);
                string size = Sizes.Format(blob.Descriptor.Size);
                string what = outcome switch
                {
                    BlobOutcome.Sent => "sent",
                    BlobOutcome.Mounted => $"mounted from '{blob.MountFrom}'",
                    _ => "already present",
                };
                _log.Info($"  {registry}/{repository}: blob {blob.Descriptor.Digest} ({size}) {what} in {started.Elapsed.TotalSeconds:0.0} s");
                Interlocked.Add(ref outcome == BlobOutcome.Sent ? ref bytesSent : ref outcome == BlobOutcome.Mounted ? ref bytesMounted : ref bytesPresent, blob.Descriptor.Size);
                Interlocked.Increment(ref outcome == BlobOutcome.Sent ? ref sent : ref outcome == BlobOutcome.Mounted ? ref mounted : ref present);
                Interlocked.Add(ref bytesDone, blob.Descriptor.Size);
                Interlocked.Increment(ref done);
            }
            finally { slots.Release(); }
        }));
        ticker.Dispose();
        var digest = Digest.Compute(manifestJson);
        foreach (var reference in tags.Count == 0 ? new[] { digest.ToString() } : tags)
            await client.PutManifestAsync(repository, reference, manifestJson, manifestMediaType, cancel);
        string what = sent == 0 ? "no blob sent" : $"{sent} blobs sent ({Sizes.Format(bytesSent)})";
        _log.Info($"Pushed {registry}/{repository}:{string.Join(",", tags)} as {digest}: {what}, {mounted} mounted, {present} already present, " +
                  $"{clock.Elapsed.TotalSeconds:0.00} s");
        return new PushResult(digest, sent, mounted, present, bytesSent) { BytesMounted = bytesMounted, BytesPresent = bytesPresent };
    }

    private enum BlobOutcome { Present, Mounted, Sent }

    private static async Task<BlobOutcome> PushBlobAsync(RegistryClient client, string repository, PushBlob blob, CancellationToken cancel)
    {
        if (await client.BlobSizeAsync(repository, blob.Descriptor.Digest, cancel) is not null) return BlobOutcome.Present;
        Uri? session = null;
        if (blob.MountFrom is { } from && from != repository)
        {
            session = await client.MountBlobAsync(repository, blob.Descriptor.Digest, from, cancel);
            if (session is null) return BlobOutcome.Mounted;
        }
        await client.UploadBlobAsync(repository, blob.Descriptor, blob.Open, session, cancel);
        return BlobOutcome.Sent;
    }
}
