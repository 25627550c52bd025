using System.Diagnostics;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Registry;

/// <summary>A registry image in the blob store: the manifest chosen for the platform, its config and layers, all by digest.</summary>
internal sealed record PulledImage(RegistryReference Reference, ManifestDocument Manifest, Manifest Parsed, string ConfigPath, IReadOnlyList<string> LayerPaths)
{
    /// <summary>The reference pinned to the manifest that was picked (the index's digest is not what the build's config comes from).</summary>
    public Digest Digest => Manifest.Digest;
}

/// <summary>
/// Pulls a registry image into a <see cref="BlobStore"/>: a tag costs one manifest request (plus one for the platform's
/// manifest under an index), a blob already in the store is not downloaded again, and an image pinned by digest whose
/// blobs are all in the store needs no network at all.
/// </summary>
internal sealed class ImagePuller
{
    private readonly RegistryOptions _options;
    private readonly BlobStore _store;
    private readonly IBuildLog _log;

    public ImagePuller(RegistryOptions options, BlobStore store, IBuildLog log)
    {
        _options = options;
        _store = store;
        _log = log;
    }

    /// <param name="layers">False: the manifest and config only, the layers left in the registry (a build that needs no
    /// layer's bytes and has each layer's tarball index from the registry cache); <see cref="PulledImage.LayerPaths"/> then names files that may not exist.</param>
    public async Task<PulledImage> PullAsync(RegistryReference reference, Platform platform, CancellationToken cancel = default, bool layers = true)
    {
        if (reference.Digest is not null && TryOffline(reference, platform, layers) is { } cached)
        {
            _log.Detail($"{reference}: every blob is in {_store.Root}; no request made.");
            return cached;
        }
        var clock = Stopwatch.StartNew();
        using var client = new RegistryClient(reference.Registry, _options, _log);
        var document = await FetchDocumentAsync(client, reference, reference.ManifestReference, cancel);
        for (int depth = 0; document.IsIndex; depth++)
        {
            if (depth == 4) throw Invalid(reference, "its indexes nest more than 4 deep");
            var child = Choose(reference, ParseIndex(reference, document), platform);
            document = _store.ReadDocument(child.Digest, _options.MaxManifestSize) is { } known
                ? new ManifestDocument(known, child.MediaType, child.Digest)
                : await FetchDocumentAsync(client, reference, child.Digest.ToString(), cancel);
        }
        var manifest = ParseManifest(reference, document);
        var blobs = new[] { manifest.Config }.Concat(layers ? manifest.Layers : Array.Empty<Descriptor>()).DistinctBy(d => d.Digest).ToList();
        var missing = blobs.Where(b => _store.Find(b) is null).ToList();
        using var slots = new SemaphoreSlim(_options.MaxParallelTransfers);
        int done = 0;
        long bytesDone = 0, total = missing.Sum(b => b.Size);
        // A long download (a large base, a slow link) says how far it is, by the blobs finished so far.
        using var ticker = new ProgressTicker(_log, _options.ProgressInterval, elapsed =>
            $"Pulling {reference}: {Volatile.Read(ref done)} of {missing.Count} blobs done, {Sizes.Format(Interlocked.Read(ref bytesDone))} of {Sizes.Format(total)}, {elapsed.TotalSeconds:0} s");
        await Task.WhenAll(missing.Select(async blob =>
        {
            await slots.WaitAsync(cancel);
            try
            {
                var started = Stopwatch.StartNew();
                await client.DownloadBlobAsync(reference.Repository, blob, _store, cancel);
                _log.Detail($"  {reference.Registry}/{reference.Repository}: blob {blob.Digest} ({Sizes.Format(blob.Size)}) pulled in {started.Elapsed.TotalSeconds:0.0} s");
                Interlocked.Add(ref bytesDone, blob.Size);
                Interlocked.Increment(ref done);
            }
            finally { slots.Release(); }
        }));
        ticker.Dispose();
        string pulled = $"Pulled {reference} as {document.Digest}: {missing.Count} of {blobs.Count} blobs downloaded ({Sizes.Format(total)}), {clock.Elapsed.TotalSeconds:0.0} s";
        // A download is work a user waited for: its line shows at the default verbosity; finding every blob here does not.
        if (missing.Count > 0) _log.Progress(pulled);
        else _log.Info(pulled);
        return Assemble(reference, document, manifest);
    }

    /// <summary>A pinned image entirely in the store (documents digest-checked again on read), or null.</summary>
    private PulledImage? TryOffline(RegistryReference reference, Platform platform, bool layers)
    {
        var digest = reference.Digest!.Value;
        for (int depth = 0; depth < 4; depth++)
        {
            if (_store.ReadDocument(digest, _options.MaxManifestSize) is not { } json) return null;
            var document = new ManifestDocument(json, "", digest);
            if (IsIndexJson(json))
            {
                digest = Choose(reference, ParseIndex(reference, document), platform).Digest;
                continue;
            }
            var manifest = ParseManifest(reference, document);
            if (_store.Find(manifest.Config) is null || (layers && manifest.Layers.Any(l => _store.Find(l) is null))) return null;
            return Assemble(reference, document with { MediaType = manifest.MediaType }, manifest);
        }
        return null;
    }

    private async Task<ManifestDocument> FetchDocumentAsync(RegistryClient client, RegistryReference reference, string what, CancellationToken cancel)
    {
        var document = await client.GetManifestAsync(reference.Repository, what, cancel);
        // Kept by digest (the registry's bytes, checked): what a later build pinned to this digest reads offline.
        _store.WriteDocument(document.Digest, document.Json);
        return document;
    }

    private PulledImage Assemble(RegistryReference reference, ManifestDocument document, Manifest manifest)
    {
        WarnOnConfigType(reference, manifest.Config);
        return new(reference.WithDigest(document.Digest), document, manifest, _store.PathOf(manifest.Config.Digest),
            manifest.Layers.Select(l => _store.PathOf(l.Digest)).ToArray());
    }

    /// <summary>
    /// A config of a type the SDK does not know (an artifact's, a vendor's) is read as an image config all the same (the
    /// build fails with its own error if it is not one), but not without a word: the image may not be what the user meant.
    /// </summary>
    private void WarnOnConfigType(RegistryReference reference, Descriptor config)
    {
        if (config.MediaType is MediaTypes.ImageConfig or MediaTypes.DockerConfig) return;
        string type = RegistryErrorBody.Printable(config.MediaType, 200, '?');
        _log.Warning(Codes.BaseConfigTypeUnknown,
            $"BaseLayer '{RegistryReference.Scheme}{reference}': the image's config has media type '{type}', not an image config " +
            $"({MediaTypes.ImageConfig} or {MediaTypes.DockerConfig}); it is read as one. Check that the reference names a container image.");
    }

    private static Descriptor Choose(RegistryReference reference, ImageIndex index, Platform platform)
    {
        var manifests = index.Manifests.DistinctBy(m => m.Digest).ToList();
        if (manifests.Count == 1) return manifests[0];
        return PlatformMatch.Best(manifests, platform)
               ?? throw new ContainerSdkException(Codes.ImagePlatformNotFound,
                   $"Image '{reference}' has no image for platform {platform} (ContainerPlatform); it has: {PlatformMatch.Describe(manifests)}.");
    }

    private static bool IsIndexJson(byte[] json)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return doc.RootElement.TryGetProperty("manifests", out _);
    }

    private static ImageIndex ParseIndex(RegistryReference reference, ManifestDocument document)
    {
        try { return ImageIndex.Parse(document.Json); }
        catch (FormatException e) { throw Invalid(reference, e.Message); }
    }

    private static Manifest ParseManifest(RegistryReference reference, ManifestDocument document)
    {
        try { return Manifest.Parse(document.Json); }
        catch (FormatException e) { throw Invalid(reference, e.Message); }
    }

    private static ContainerSdkException Invalid(RegistryReference reference, string why) =>
        new(Codes.RegistryContentInvalid, $"Image '{reference}' is not a valid image: {why}.");
}
