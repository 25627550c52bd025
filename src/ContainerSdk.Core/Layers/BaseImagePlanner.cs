using System.Security.Cryptography;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Tar;
using ContainerSdk.Core.Images;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// Plans the layers of an image used as a <c>BaseLayer</c>: one plan per image layer, each reusing the image's
/// blob byte for byte (<see cref="LayerPlan.Prebuilt"/>) and listing its entries for the layers above and the bundle.
/// Blobs of an archive are copied out (digest checked) into the work folder's blob store, where the layout writer
/// links them from; a layout folder's blobs are linked from where they are. The entries are planned (and sorted the
/// engine's way, whiteouts kept as entries) by <see cref="TarballPlanner"/>, whose index is cached by diffID.
/// </summary>
internal static class BaseImagePlanner
{
    public static IReadOnlyList<LayerPlan> Plan(LayerRequest input, IImageSourceKind kind, int firstIndex, BuildContext context)
    {
        var (options, paths) = (context.Options, context.Paths);
        var request = new ImageRequest(input.SourcePath, input.ItemSpec, input.Reference, options.Platform, paths.Spool);
        string? resolutionPath = kind.ResolutionKey(request, context.HashFile) is { } key
            ? ArchiveResolution.PathFor(paths.ImageConfigs, key, input.Reference, options.Platform.ToString())
            : null;
        var resolution = resolutionPath is null ? null : ArchiveResolution.TryLoad(resolutionPath);
        // The config the source parsed when it is opened now; else the saved one, parsed once on first use.
        ImageConfig? config = null;
        // Publish only, with the registry cache: the layers are planned from their shared indexes and left in the image's repository.
        string? remote = null;
        if (resolution is null && PlanRemotely(input, kind, request, context) is { } found)
            (resolution, config, remote) = found;
        if (resolution is null)
        {
            using var image = kind.Open(request);
            var layers = image.Layers.Select((layer, i) =>
            {
                var (blobPath, descriptor) = MaterializeBlob(image, i, paths.Blobs, input.ItemSpec, context.HashFile);
                return new ArchiveResolution.Layer(descriptor, layer.DiffId, blobPath, layer.CreatedBy);
            }).ToList();
            resolution = new ArchiveResolution(SaveConfig(paths, image.ConfigJson), image.ManifestDigest?.ToString(), image.Name, layers);
            config = image.Config;
            if (resolutionPath is not null) resolution.Save(resolutionPath);
        }
        string? manifestDigest = resolution.ManifestDigest;
        // One origin for all the image's layers: its config is parsed once, here or by whichever step reads it first.
        var origin = config is null
            ? new ImageOrigin(resolution.ConfigPath, manifestDigest, resolution.Name)
            : new ImageOrigin(resolution.ConfigPath, manifestDigest, resolution.Name) { Config = config };
        WarnOnPlatform(input, origin, options.Platform, context.Log);

        var plans = new List<LayerPlan>();
        for (int i = 0; i < resolution.Layers.Count; i++)
        {
            var layer = resolution.Layers[i];
            var (blobPath, descriptor) = (layer.BlobPath, layer.Descriptor);
            // Keyed by the diffID (the hash of the uncompressed tar, which the index's offsets are into): a later build
            // plans from the cached index and reads no blob.
            var source = new PlanSource(blobPath, input.ItemSpec, "", new PathGlob(Array.Empty<string>(), input.ItemSpec), null, null, options.Epoch);
            string indexPath = TarballIndex.PathOf(paths.TarballIndexes, layer.DiffId);
            bool indexedBefore = remote is not null || File.Exists(indexPath);
            var entries = TarballPlanner.Plan(source, Convert.FromHexString(layer.DiffId.Hex), context);
            // Indexed now from a registry base's blob: shared, so that a publish-only build elsewhere need not download the blob.
            if (!indexedBefore && context.TarballIndexStore is { } store && kind.IsRemote && File.Exists(indexPath))
                store.Put(layer.DiffId, indexPath);
            // The item's Environment applies once, with its top layer (each layer's Environment is composed in turn).
            var layerInput = i == resolution.Layers.Count - 1 ? input : input with { Environment = Array.Empty<string>() };
            plans.Add(new LayerPlan(layerInput, firstIndex + i, entries)
            {
                Prebuilt = new LayerBlob(descriptor, layer.DiffId, entries.Sum(e => e.Header.Size), blobPath) { Remote = remote },
                CreatedBy = layer.CreatedBy ?? $"ContainerSdk BaseLayer {input.ItemSpec} layer {i + 1}",
                FromImage = origin,
            });
        }
        if (plans.Count == 0)
            throw new ContainerSdkException(Codes.InvalidBaseImage, $"Image '{input.ItemSpec}' has no layers.");
        context.Log.Detail($"BaseLayer {input.ItemSpec}: image {resolution.Name ?? "(unnamed)"} {manifestDigest}, {plans.Count} layers");
        return plans;
    }

    /// <summary>
    /// A registry base on a build that needs no layer's bytes (publish only) with a registry cache: its manifest and config
    /// pulled, each layer's tarball index taken from the cache (<see cref="ITarballIndexStore"/>, put there by a build that
    /// downloaded the layer) into the local index folder, the blobs left in the image's repository, which publishing
    /// mounts them from (same registry) or streams them from (another). Null, and the blobs are downloaded as on any other
    /// build, when any layer's index is in neither place (correct first, fast second).
    /// </summary>
    private static (ArchiveResolution Resolution, ImageConfig Config, string Repository)? PlanRemotely(LayerRequest input, IImageSourceKind kind,
        ImageRequest request, BuildContext context)
    {
        if (context.NeedsLayerBytes || context.TarballIndexStore is not { } store || !kind.IsRemote) return null;
        if (kind.OpenDocuments(request) is not { } remote) return null;
        using var image = remote.Image;
        foreach (var layer in image.Layers)
        {
            string path = TarballIndex.PathOf(context.Paths.TarballIndexes, layer.DiffId);
            if (TarballIndex.IsIndexFile(path)) continue;
            if (store.TryGet(layer.DiffId) is not { } index || !TarballIndex.IsIndex(index))
            {
                context.Log.Detail($"BaseLayer {input.ItemSpec}: the registry cache has no index of layer {layer.DiffId}; the image's layers are downloaded.");
                return null;
            }
            TarballIndex.Write(path, index);
        }
        context.Log.Detail($"BaseLayer {input.ItemSpec}: {image.Layers.Count} layers planned from the registry cache's indexes, their blobs left in {remote.Repository}.");
        var layers = image.Layers.Select(l => new ArchiveResolution.Layer(l.Descriptor, l.DiffId, "", l.CreatedBy)).ToList();
        return (new ArchiveResolution(SaveConfig(context.Paths, image.ConfigJson), image.ManifestDigest?.ToString(), image.Name, layers), image.Config, remote.Repository);
    }

    /// <summary>A single-platform base for another platform is built on (the user may mean it), but said.</summary>
    /// <remarks>An unreadable saved config is no reason to stop here: the image step, which needs it, says so.</remarks>
    private static void WarnOnPlatform(LayerRequest input, ImageOrigin origin, Platform wanted, IBuildLog log)
    {
        ImageConfig config;
        try { config = origin.Config; }
        catch (ContainerSdkException) { return; }
        if (config.Os != wanted.Os || config.Architecture != wanted.Architecture)
            log.Warning(Codes.BasePlatformMismatch,
                $"BaseLayer '{input.ItemSpec}' is an image for {config.Os}/{config.Architecture}, but ContainerPlatform is {wanted}: the image is labelled {wanted}. " +
                $"Set ContainerPlatform to {config.Os}/{config.Architecture} if that is the platform you build for.");
    }

    /// <summary>Content-addressed, so a config already saved by an earlier build is the same file.</summary>
    private static string SaveConfig(WorkPaths paths, byte[] configJson)
    {
        Directory.CreateDirectory(paths.ImageConfigs);
        string path = Path.Combine(paths.ImageConfigs, Digest.Compute(configJson).Hex + ".json");
        if (!File.Exists(path))
        {
            using var temp = new TempFile(path);
            temp.WriteAllBytes(configJson);
            temp.Commit();
        }
        return path;
    }

    /// <summary>
    /// A blob the source holds as a file (a layout folder) is used in place (hashing gigabytes each build would defeat
    /// the layer cache: through the stat cache it is hashed once, then only when it changes). Any other blob is copied
    /// out once, hashed on the way, and must have the digest its manifest says (a docker-archive names none: an
    /// uncompressed layer must then match its diffID).
    /// </summary>
    private static (string Path, Descriptor Descriptor) MaterializeBlob(IImageSource image, int index, string blobDirectory, string itemSpec,
        Func<string, byte[]> hashFile)
    {
        var layer = image.Layers[index];
        var descriptor = layer.Descriptor;
        string which = $"layer {index + 1}";
        if (image.BlobFile(index) is { } inPlace)
        {
            // Reused byte for byte in the output image, so its bytes must be the ones its digest names (a damaged blob of
            // the right size would otherwise ship under a digest that lies).
            if (descriptor.Digest.Hex is not null && Digest.FromSha256Bytes(hashFile(inPlace)) != descriptor.Digest)
                throw new ContainerSdkException(Codes.BlobDigestMismatch,
                    $"Image '{itemSpec}': {which} blob '{inPlace}' does not have the digest its manifest says ({descriptor.Digest}); the image is damaged.", inPlace);
            return (inPlace, descriptor);
        }

        bool known = descriptor.Digest.Hex is not null;
        // A docker-archive's layers are plain tars, whose digest is their diffID: copied out by an earlier build, they are there.
        var expected = known ? descriptor.Digest : descriptor.MediaType == MediaTypes.LayerTar ? layer.DiffId : (Digest?)null;
        if (expected is { } e)
        {
            var existing = new FileInfo(Path.Combine(blobDirectory, e.Hex));
            if (existing.Exists && existing.Length == descriptor.Size) return (existing.FullName, descriptor with { Digest = e });
        }

        Digest digest;
        using var temp = new TempFile(Path.Combine(blobDirectory, "base-layer"));
        using (var source = image.OpenBlob(index))
        using (var hashing = new HashingReadStream(source))
        using (var target = temp.Create())
        {
            hashing.CopyTo(target, 1 << 16);
            digest = Digest.FromSha256Bytes(hashing.GetHash());
        }
        if (known && digest != descriptor.Digest)
            throw new ContainerSdkException(Codes.BlobDigestMismatch,
                $"Image '{itemSpec}': {which} blob has digest {digest}, its manifest says {descriptor.Digest}; the image is damaged.");
        if (!known && descriptor.MediaType == MediaTypes.LayerTar && digest != layer.DiffId)
            throw new ContainerSdkException(Codes.BlobDigestMismatch,
                $"Image '{itemSpec}': {which} has digest {digest}, its config says {layer.DiffId}; the image is damaged.");
        temp.CommitAs(Path.Combine(blobDirectory, digest.Hex));
        return (Path.Combine(blobDirectory, digest.Hex), descriptor with { Digest = digest });
    }
}
