using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Registry;

/// <summary>
/// Blobs a layer cache started downloading into the blob store before the layer's fingerprint was known: those of the
/// entry its shape tag names (<see cref="LayerCacheRepository.Prefetch"/>), fetched while the build hashes the layer's
/// files. The lookup by fingerprint claims what its own entry names (<see cref="ClaimAsync"/>) and waits for that
/// download rather than starting a second one; every other download is stopped. A prefetch decides nothing: a
/// blob lands in the store only with the digest it was asked for, and is used only when the fingerprint's entry names
/// it. Its failures are silent (Detail lines): the lookup by fingerprint is the one that reports. Disposed, it stops
/// whatever was not claimed and waits for it, so no temporary file outlives it.
/// </summary>
internal sealed class LayerCachePrefetch : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly Task<IReadOnlyList<Download>> _downloads;
    private readonly Action<string> _detail;

    private sealed record Download(Descriptor Blob, CancellationTokenSource Cancel, Task<string?> Path);

    /// <param name="find">Reads the shape's entry: the blobs to fetch (none that this machine already holds).</param>
    /// <param name="download">Downloads one blob into the store, digest-checked; its path.</param>
    /// <param name="detail">Where its silent misses are told (the -v:d log).</param>
    internal LayerCachePrefetch(Func<CancellationToken, Task<IReadOnlyList<Descriptor>>> find,
        Func<Descriptor, CancellationToken, Task<string>> download, Action<string> detail)
    {
        _detail = detail;
        // Off the caller's thread: it goes on to hash the layer's files at once.
        _downloads = Task.Run(() => StartAsync(find, download));
    }

    private async Task<IReadOnlyList<Download>> StartAsync(Func<CancellationToken, Task<IReadOnlyList<Descriptor>>> find,
        Func<Descriptor, CancellationToken, Task<string>> download)
    {
        IReadOnlyList<Descriptor> blobs;
        try { blobs = await find(_cancel.Token); }
        catch (Exception e)
        {
            Miss(e, _cancel.Token);
            return Array.Empty<Download>();
        }
        return blobs.Select(blob =>
        {
            var cancel = CancellationTokenSource.CreateLinkedTokenSource(_cancel.Token);
            return new Download(blob, cancel, RunAsync(blob, download, cancel.Token));
        }).ToList();
    }

    private async Task<string?> RunAsync(Descriptor blob, Func<Descriptor, CancellationToken, Task<string>> download, CancellationToken cancel)
    {
        try { return await download(blob, cancel); }
        catch (Exception e)
        {
            Miss(e, cancel);
            return null;
        }
    }

    /// <summary>
    /// Every failure of a prefetch is a miss, whatever it is (404, a refused login, a dropped connection, a garbage
    /// entry, a full disk): the lookup by fingerprint asks again and says what goes wrong. Told at Detail level unless
    /// it was stopped on purpose. Messages of the registry client name no secret.
    /// </summary>
    private void Miss(Exception e, CancellationToken cancel)
    {
        if (!(e is OperationCanceledException && cancel.IsCancellationRequested))
            _detail($"nothing prefetched ({e.Message})");
    }

    /// <summary>
    /// The downloads of the blobs among <paramref name="wanted"/> (same digest and size), by digest, each a path or null
    /// (it failed: download it again); every other download is stopped now. Waits for the shape's entry to be read.
    /// </summary>
    public async Task<IReadOnlyDictionary<Digest, Task<string?>>> ClaimAsync(IReadOnlyCollection<Descriptor> wanted)
    {
        var claimed = new Dictionary<Digest, Task<string?>>();
        foreach (var download in await _downloads)
        {
            if (wanted.Any(w => w.Digest == download.Blob.Digest && w.Size == download.Blob.Size))
                claimed[download.Blob.Digest] = download.Path;
            else if (!download.Path.IsCompleted)
            {
                _detail($"prefetch of blob {download.Blob.Digest} stopped: the layer's entry does not name it");
                download.Cancel.Cancel();
            }
        }
        return claimed;
    }

    /// <summary>Stops everything: the layer is not in the cache, or its entry cannot be used.</summary>
    public void Cancel(string why)
    {
        if (!_downloads.IsCompletedSuccessfully || _downloads.Result.Any(d => !d.Path.IsCompleted))
            _detail($"prefetch stopped: {why}");
        _cancel.Cancel();
    }

    public void Dispose()
    {
        _cancel.Cancel();
        // Neither task throws: they end as soon as their download sees the cancellation, its temporary file deleted.
        var downloads = _downloads.GetAwaiter().GetResult();
        Task.WaitAll(downloads.Select(d => (Task)d.Path).ToArray());
        foreach (var download in downloads) download.Cancel.Dispose();
        _cancel.Dispose();
    }
}
