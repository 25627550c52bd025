using System.Globalization;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Registry;

/// <summary>A layer blob the registry cache holds: what a build needs to use it in place of building it.</summary>
internal sealed record CachedLayer(Descriptor Blob, Digest DiffId, long UncompressedSize, string Path)
{
    /// <summary>Where the bundle's segments lie in the blob (the Cache room's portable segment index), kept with it when known.</summary>
    public byte[]? SegmentIndex { get; init; }

    /// <summary>The blob came from a download started before the fingerprint was known (<see cref="LayerCacheRepository.Prefetch"/>).</summary>
    public bool Prefetched { get; init; }

    /// <summary>The blob was left in the registry, vouched for by its answer (<see cref="LayerCacheRepository.TryFindAsync"/>): <see cref="Path"/> is empty.</summary>
    public bool Remote { get; init; }
}

/// <summary>
/// A registry repository as a layer cache shared by machines (<c>ContainerCacheRepository</c>): each layer is a small OCI
/// manifest tagged by the layer's fingerprint, whose first layer is the blob and whose annotations say its diff_id and
/// size; a second layer, when there is one, is the blob's segment index, so that a fresh machine copies the bundle's
/// segments out of the blob as the machine that built it does. The same manifest is also tagged by the layer's shape (its
/// headers alone), which a fresh machine knows before it has read any file: it starts downloading that entry's blob while
/// it hashes the files, and uses it only when the fingerprint's entry names it. Everything a hit holds is downloaded into the blob store
/// and used only once its digest is checked; the cache is an optimisation,
/// so any failure to read it is a miss and any failure to write it a warning (CSDK5008), never a failed build.
/// Whoever can write the repository decides what a hit contains: only CI that builds trusted inputs should have push rights.
/// </summary>
internal sealed class LayerCacheRepository : IDisposable
{
    public const string ConfigMediaType = "application/vnd.oci.empty.v1+json";
    public const string DiffIdAnnotation = "org.containersdk.layer.diff-id";
    public const string UncompressedSizeAnnotation = "org.containersdk.layer.uncompressed-size";
    /// <summary>The media type of a layer's segment index in its cache entry.</summary>
    public const string SegmentIndexMediaType = "application/vnd.containersdk.layer.segments.v1+text";
    /// <summary>A segment index larger than this (a few hundred bytes per MiB of layer) is not taken.</summary>
    public const long MaxSegmentIndexSize = 16L << 20;
    /// <summary>The media type of a bundle segment's gzip members, stored alone under the segment's name.</summary>
    public const string SegmentMediaType = "application/vnd.containersdk.bundle.segment.v1.tar+gzip";
    private static readonly byte[] EmptyConfig = "{}"u8.ToArray();

    private readonly RegistryClient _client;
    private readonly BlobStore _store;
    private readonly IBuildLog _log;
    private readonly object _warnLock = new();
    private bool _warned;

    public LayerCacheRepository(string registry, string repository, RegistryOptions options, BlobStore store, IBuildLog log)
    {
        Registry = registry;
        Repository = repository;
        _client = new RegistryClient(registry, options, log);
        _store = store;
        _log = log;
    }

    public string Registry { get; }
    public string Repository { get; }

    /// <summary>"host:port/name" as ContainerCacheRepository names it.</summary>
    public static (string Registry, string Repository) ParseLocation(string text)
    {
        var reference = RegistryReference.Parse(RegistryReference.Scheme + text.Trim());
        if (reference.Tag is not null || reference.Digest is not null)
            throw new ContainerSdkException(Codes.InvalidRegistryReference,
                $"ContainerCacheRepository '{text}' names a tag or digest; it must be a repository, such as registry.example.org/ci/layer-cache.");
        return (reference.Registry, reference.Repository);
    }

    /// <summary>The tag a fingerprint is stored under.</summary>
    public static string Tag(byte[] fingerprint) => "csdk-" + Convert.ToHexString(fingerprint).ToLowerInvariant();

    /// <summary>The tag a layer's shape (its headers alone) is stored under too: the last layer built with those headers.</summary>
    public static string ShapeTag(byte[] shape) => "csdk-shape-" + Convert.ToHexString(shape).ToLowerInvariant();

    /// <summary>
    /// The layer cached under <paramref name="fingerprint"/>, downloaded and digest-checked, or null (a miss, or a cache that cannot be read).
    /// A blob that <paramref name="prefetch"/> is downloading is waited for when this entry names it; the prefetch's other downloads are stopped.
    /// </summary>
    public async Task<CachedLayer?> TryGetAsync(byte[] fingerprint, LayerCachePrefetch? prefetch = null, CancellationToken cancel = default)
    {
        try
        {
            if (await TryGetEntryAsync(Tag(fingerprint), cancel) is not { } json)
            {
                prefetch?.Cancel("the layer is not in the cache");
                return null;
            }
            if (LayerRecord.Read(json) is not { } record)
            {
                prefetch?.Cancel("the layer's entry is not a layer record");
                Warn($"its entry {Tag(fingerprint)} is not a ContainerSdk layer record; the layer is built instead");
                return null;
            }
            var prefetched = prefetch is null ? NothingPrefetched : await prefetch.ClaimAsync(record.Blobs);
            var (path, fromPrefetch) = await FetchAsync(record.Blob, prefetched, cancel);
            var index = record.SegmentIndex is { } segments ? await TryGetSegmentIndexAsync(segments, prefetched, cancel) : null;
            return new CachedLayer(record.Blob with { Annotations = null, Platform = null }, record.DiffId, record.UncompressedSize, path)
            {
                SegmentIndex = index, Prefetched = fromPrefetch,
            };
        }
        catch (Exception e) when (e is ContainerSdkException or FormatException)
        {
            Warn($"reading it failed ({e.Message}); the layer is built instead");
            return null;
        }
    }

    /// <summary>
    /// The layer cached under <paramref name="fingerprint"/> left where it is, for a build that needs no layer's bytes
    /// (GenerateContainerImageLayout false, no bundle, archive or SquashFS image): the entry is trusted once the
    /// registry's HEAD answer for its blob states the entry's size and digest; without that answer the blob is
    /// downloaded and checked as <see cref="TryGetAsync"/> does. <see cref="CachedLayer.Path"/> is then empty
    /// (<see cref="CachedLayer.Remote"/>). Null: a miss, or a cache that cannot be read.
    /// </summary>
    public async Task<CachedLayer?> TryFindAsync(byte[] fingerprint, CancellationToken cancel = default)
    {
        try
        {
            if (await TryGetEntryAsync(Tag(fingerprint), cancel) is not { } json) return null;
            if (LayerRecord.Read(json) is not { } record)
            {
                Warn($"its entry {Tag(fingerprint)} is not a ContainerSdk layer record; the layer is built instead");
                return null;
            }
            var blob = record.Blob with { Annotations = null, Platform = null };
            if (await _client.VouchesForBlobAsync(Repository, blob, cancel))
                return new CachedLayer(blob, record.DiffId, record.UncompressedSize, "") { Remote = true };
            _log.Detail($"Layer cache {Registry}/{Repository}: the registry's answer for {blob.Digest} does not state its digest and size; it is downloaded and checked.");
            return await TryGetAsync(fingerprint, cancel: cancel);
        }
        catch (Exception e) when (e is ContainerSdkException or FormatException)
        {
            Warn($"reading it failed ({e.Message}); the layer is built instead");
            return null;
        }
    }

    /// <summary>The manifest tagged <paramref name="tag"/>, or null when the repository has no such tag (a miss).</summary>
    private async Task<byte[]?> TryGetEntryAsync(string tag, CancellationToken cancel)
    {
        try { return (await _client.GetManifestAsync(Repository, tag, cancel)).Json; }
        catch (ContainerSdkException e) when (e.Code == Codes.RegistryNotFound) { return null; }
    }

    private static readonly IReadOnlyDictionary<Digest, Task<string?>> NothingPrefetched = new Dictionary<Digest, Task<string?>>();

    /// <summary>A blob of a hit: the prefetch's download of it when there is one and it succeeded, else the store's copy, else a download.</summary>
    private async Task<(string Path, bool Prefetched)> FetchAsync(Descriptor blob, IReadOnlyDictionary<Digest, Task<string?>> prefetched, CancellationToken cancel)
    {
        if (prefetched.TryGetValue(blob.Digest, out var download) && await download is { } path) return (path, true);
        return (_store.Find(blob) ?? await _client.DownloadBlobAsync(Repository, blob, _store, cancel), false);
    }

    /// <summary>
    /// Starts downloading, in the background, the blobs of the entry tagged by <paramref name="shape"/> (the layer last
    /// built with the same headers): the likely hit, fetched while the build hashes the files that decide whether it is one.
    /// None that the blob store has, or that <paramref name="held"/> says a nearer cache of this machine has.
    /// </summary>
    public LayerCachePrefetch Prefetch(byte[] shape, Func<Descriptor, bool>? held = null) => new(async cancel =>
    {
        var record = LayerRecord.Read((await _client.GetManifestAsync(Repository, ShapeTag(shape), cancel)).Json)
                     ?? throw new FormatException($"its entry {ShapeTag(shape)} is not a ContainerSdk layer record");
        var missing = record.Blobs.Where(b => _store.Find(b) is null && held?.Invoke(b) != true).ToList();
        if (missing.Count > 0)
            _log.Detail($"Layer cache {Registry}/{Repository}: downloading {string.Join(" and ", missing.Select(b => $"{b.Digest} ({Sizes.Format(b.Size)})"))} of {ShapeTag(shape)[..19]} while the files are hashed.");
        else
            _log.Detail($"Layer cache {Registry}/{Repository}: the blobs of {ShapeTag(shape)[..19]} are on this machine already; nothing to download while the files are hashed.");
        return missing;
    }, (blob, cancel) => _client.DownloadBlobAsync(Repository, blob, _store, cancel),
        what => _log.Detail($"Layer cache {Registry}/{Repository}: {what}."));

    /// <summary>The segment index of a hit, digest-checked; without it (too large, unreadable) the layer is still used, its bundle segments compressed.</summary>
    private async Task<byte[]?> TryGetSegmentIndexAsync(Descriptor index, IReadOnlyDictionary<Digest, Task<string?>> prefetched, CancellationToken cancel)
    {
        try
        {
            await FetchAsync(index, prefetched, cancel);
            return _store.ReadDocument(index.Digest, MaxSegmentIndexSize);
        }
        catch (ContainerSdkException e)
        {
            _log.Detail($"Layer cache {Registry}/{Repository}: the segment index {index.Digest} could not be read ({e.Message}); the bundle compresses that layer's segments.");
            return null;
        }
    }

    /// <summary>
    /// A cache entry's manifest read as a layer record: the blob, its segment index when it has one the cache takes (known
    /// media type, not too large), the annotations; null when it is not one.
    /// </summary>
    private sealed record LayerRecord(Descriptor Blob, Descriptor? SegmentIndex, Digest DiffId, long UncompressedSize)
    {
        public IReadOnlyCollection<Descriptor> Blobs => SegmentIndex is { } index ? new[] { Blob, index } : new[] { Blob };

        public static LayerRecord? Read(byte[] json)
        {
            var manifest = Manifest.Parse(json);
            if (manifest.Layers.Count is not (1 or 2) || manifest.Annotations is not { } notes
                || !notes.TryGetValue(DiffIdAnnotation, out var diffIdText) || !Digest.TryParse(diffIdText, out var diffId)
                || !notes.TryGetValue(UncompressedSizeAnnotation, out var sizeText)
                || !long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var uncompressed))
                return null;
            var index = manifest.Layers.Count == 2 && manifest.Layers[1] is { MediaType: SegmentIndexMediaType, Size: <= MaxSegmentIndexSize } i ? i : null;
            return new LayerRecord(manifest.Layers[0], index, diffId, uncompressed);
        }
    }

    /// <summary>
    /// Stores a layer under its fingerprint: the blob and its segment index (unless the repository has them), the empty
    /// config, then the tag, and the same manifest under the layer's shape tag (<see cref="Prefetch"/>). False (with one
    /// warning per build) when it cannot.
    /// </summary>
    public Task<bool> TryPutAsync(byte[] fingerprint, byte[]? shape, CachedLayer layer, CancellationToken cancel = default)
    {
        var layers = new List<PushBlob> { PushBlob.FromFile(layer.Blob, layer.Path) };
        if (layer.SegmentIndex is { } index)
        {
            var descriptor = new Descriptor(SegmentIndexMediaType, Digest.Compute(index), index.Length);
            layers.Add(PushBlob.FromFile(descriptor, _store.WriteDocument(descriptor.Digest, index)));
        }
        // The shape's tag after the fingerprint's: a shape tag never names an entry the fingerprint could not.
        var tags = shape is null ? new[] { Tag(fingerprint) } : new[] { Tag(fingerprint), ShapeTag(shape) };
        return TryPutRecordAsync(tags, layers, new Dictionary<string, string>
        {
            [DiffIdAnnotation] = layer.DiffId.ToString(),
            [UncompressedSizeAnnotation] = layer.UncompressedSize.ToString(CultureInfo.InvariantCulture),
        }, cancel);
    }

    /// <summary>The media type of a base layer's tarball index (the SDK's own format, versioned by its first bytes).</summary>
    public const string TarballIndexMediaType = "application/vnd.containersdk.tarball-index.v1";
    /// <summary>A tarball index larger than this (a few dozen bytes per entry, plus the inlined account files) is not taken.</summary>
    public const long MaxTarballIndexSize = 256L << 20;

    /// <summary>The tag a base layer's tarball index is stored under: the layer's diff_id, which the index's offsets are into.</summary>
    public static string IndexTag(Digest diffId) => "csdk-index-" + diffId.Hex;

    /// <summary>
    /// The tarball index of the base layer whose diff_id is <paramref name="diffId"/>, downloaded and digest-checked, or
    /// null (a miss, or a cache that cannot be read): with it a build that needs no layer's bytes plans a registry base's
    /// layer without downloading it.
    /// </summary>
    public async Task<byte[]?> TryGetTarballIndexAsync(Digest diffId, CancellationToken cancel = default)
    {
        try
        {
            if (await TryGetEntryAsync(IndexTag(diffId), cancel) is not { } json) return null;
            var manifest = Manifest.Parse(json);
            if (manifest.Layers.Count != 1 || manifest.Layers[0] is not { MediaType: TarballIndexMediaType, Size: <= MaxTarballIndexSize } blob)
            {
                Warn($"its entry {IndexTag(diffId)} is not a ContainerSdk tarball index; the base layer is downloaded instead");
                return null;
            }
            await FetchAsync(blob, NothingPrefetched, cancel);
            return _store.ReadDocument(blob.Digest, MaxTarballIndexSize);
        }
        catch (Exception e) when (e is ContainerSdkException or FormatException)
        {
            Warn($"reading it failed ({e.Message}); the base layer is downloaded instead");
            return null;
        }
    }

    /// <summary>Stores a base layer's tarball index (the file at <paramref name="path"/>) under its diff_id; false (with one warning per build) when it cannot.</summary>
    public Task<bool> TryPutTarballIndexAsync(Digest diffId, string path, CancellationToken cancel = default)
    {
        Digest digest;
        using (var file = File.OpenRead(path)) digest = Digest.Compute(file);
        return TryPutRecordAsync(new[] { IndexTag(diffId) },
            new[] { PushBlob.FromFile(new Descriptor(TarballIndexMediaType, digest, new FileInfo(path).Length), path) },
            new Dictionary<string, string> { [DiffIdAnnotation] = diffId.ToString() }, cancel);
    }

    /// <summary>The tag a bundle segment is stored under (its name is the digest of its entries, in hex).</summary>
    public static string SegmentTag(string name) => "csdk-segment-" + name;

    /// <summary>A bundle segment stored under its name, downloaded into the blob store and digest-checked, or null (a miss, or a cache that cannot be read).</summary>
    public async Task<(string BlobPath, Digest Digest)?> TryGetSegmentAsync(string name, CancellationToken cancel = default)
    {
        try
        {
            if (await TryGetEntryAsync(SegmentTag(name), cancel) is not { } json) return null;
            var manifest = Manifest.Parse(json);
            if (manifest.Layers.Count != 1 || manifest.Layers[0] is not { MediaType: SegmentMediaType } blob)
            {
                Warn($"its entry {SegmentTag(name)} is not a ContainerSdk bundle segment; the segment is compressed instead");
                return null;
            }
            return ((await FetchAsync(blob, NothingPrefetched, cancel)).Path, blob.Digest);
        }
        catch (Exception e) when (e is ContainerSdkException or FormatException)
        {
            Warn($"reading it failed ({e.Message}); the segment is compressed instead");
            return null;
        }
    }

    /// <summary>Stores a bundle segment (its gzip members at <paramref name="path"/>) under its name; false (with one warning per build) when it cannot.</summary>
    public Task<bool> TryPutSegmentAsync(string name, string path, Digest digest, CancellationToken cancel = default) =>
        TryPutRecordAsync(new[] { SegmentTag(name) }, new[] { PushBlob.FromFile(new Descriptor(SegmentMediaType, digest, new FileInfo(path).Length), path) }, null, cancel);

    /// <summary>Uploads the blobs the repository lacks and the empty config, then tags a manifest of them, in the order of <paramref name="tags"/>: the tags come last, so they never name a blob that is not there.</summary>
    private async Task<bool> TryPutRecordAsync(IReadOnlyList<string> tags, IReadOnlyList<PushBlob> layers, Dictionary<string, string>? annotations, CancellationToken cancel)
    {
        try
        {
            var config = new Descriptor(ConfigMediaType, Digest.Compute(EmptyConfig), EmptyConfig.Length);
            var configPath = _store.WriteDocument(config.Digest, EmptyConfig);
            var manifest = new Manifest { Config = config, Layers = layers.Select(b => b.Descriptor).ToArray(), Annotations = annotations };
            foreach (var blob in layers.Append(PushBlob.FromFile(config, configPath)))
                if (await _client.BlobSizeAsync(Repository, blob.Descriptor.Digest, cancel) is null)
                    await _client.UploadBlobAsync(Repository, blob.Descriptor, blob.Open, cancel: cancel);
            var json = manifest.ToJson();
            foreach (var tag in tags) await _client.PutManifestAsync(Repository, tag, json, MediaTypes.ImageManifest, cancel);
            return true;
        }
        catch (ContainerSdkException e)
        {
            Warn($"writing to it failed ({e.Message}); the build goes on without it");
            return false;
        }
    }

    private void Warn(string what)
    {
        // One warning per build and cache: a read-only or full cache would otherwise warn once per layer.
        lock (_warnLock)
        {
            if (_warned) { _log.Detail($"Layer cache {Registry}/{Repository}: {what}"); return; }
            _warned = true;
        }
        _log.Warning(Codes.RegistryCacheUnusable, $"Layer cache {Registry}/{Repository} (ContainerCacheRepository): {what}.");
    }

    public void Dispose() => _client.Dispose();
}
