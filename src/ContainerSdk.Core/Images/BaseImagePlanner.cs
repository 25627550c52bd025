using System.Security.Cryptography;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Images;

/// <summary>
/// Plans the layers of an image used as a <c>BaseLayer</c>: one plan per image layer, each reusing the image's
/// blob byte for byte (<see cref="LayerPlan.Prebuilt"/>) and listing its entries for the layers above and the bundle.
/// Blobs of an archive are copied out (digest checked) into the work folder's blob store, where the layout writer
/// links them from; a layout folder's blobs are linked from where they are. The entries are planned (and sorted the
/// engine's way, whiteouts kept as entries) by <see cref="TarballPlanner"/>, whose index is cached by diffID.
/// </summary>
public static class BaseImagePlanner
{
    /// <param name="hashFile">SHA-256 of a file, from the stat cache when the file did not change: an archive that did
    /// not change is not opened again (its resolution is kept in the work folder).</param>
    public static IReadOnlyList<LayerPlan> Plan(LayerInput input, InputKind kind, int firstIndex, LayerBuildOptions options, string spoolDirectory,
        IBuildLog log, Func<string, byte[]>? hashFile = null)
    {
        var paths = new WorkPaths(options.WorkDirectory);
        string? resolutionPath = kind == InputKind.ImageArchive && hashFile is not null
            ? ArchiveResolution.PathFor(paths.ImageConfigs, hashFile(input.SourcePath), input.Reference, options.Platform)
            : null;
        var resolution = resolutionPath is null ? null : ArchiveResolution.TryLoad(resolutionPath);
        if (resolution is null)
        {
            var image = Resolve(input, kind, options, spoolDirectory);
            var layers = image.Layers.Select(layer =>
            {
                var (blobPath, descriptor) = MaterializeBlob(image.Files, layer, paths.Blobs, input.ItemSpec, hashFile);
                return new ArchiveResolution.Layer(descriptor, layer.DiffId, blobPath, layer.CreatedBy);
            }).ToList();
            resolution = new ArchiveResolution(SaveConfig(paths, image.ConfigJson), image.ManifestDigest?.ToString(), image.Name, layers);
            if (resolutionPath is not null) resolution.Save(resolutionPath);
        }
        var configPath = resolution.ConfigPath;
        string? manifestDigest = resolution.ManifestDigest;
        WarnOnPlatform(input, configPath, options.Platform, log);

        var plans = new List<LayerPlan>();
        for (int i = 0; i < resolution.Layers.Count; i++)
        {
            var layer = resolution.Layers[i];
            var (blobPath, descriptor) = (layer.BlobPath, layer.Descriptor);
            // Keyed by the diffID (the hash of the uncompressed tar, which the index's offsets are into): a later build
            // plans from the cached index and reads no blob.
            var entries = TarballPlanner.Plan(blobPath, input.ItemSpec, "", new PathGlob(Array.Empty<string>(), input.ItemSpec), null, null,
                options.Epoch, spoolDirectory, log, Convert.FromHexString(layer.DiffId.Hex), paths.TarballIndexes);
            // The item's Environment applies once, with its top layer (each layer's Environment is composed in turn).
            var layerInput = i == resolution.Layers.Count - 1 ? input : input with { Environment = Array.Empty<string>() };
            plans.Add(new LayerPlan(layerInput, firstIndex + i, entries)
            {
                Prebuilt = new LayerBlob(descriptor, layer.DiffId, entries.Sum(e => e.Header.Size), blobPath),
                CreatedBy = layer.CreatedBy ?? $"ContainerSdk BaseLayer {input.ItemSpec} layer {i + 1}",
                FromImage = new ImageOrigin(configPath, manifestDigest, resolution.Name),
            });
        }
        if (plans.Count == 0)
            throw new ContainerSdkException(Codes.InvalidBaseImage, $"Image '{input.ItemSpec}' has no layers.");
        log.Detail($"BaseLayer {input.ItemSpec}: image {resolution.Name ?? "(unnamed)"} {manifestDigest}, {plans.Count} layers");
        return plans;
    }

    /// <summary>A single-platform base for another platform is built on (the user may mean it), but said.</summary>
    private static void WarnOnPlatform(LayerInput input, string configPath, string platform, IBuildLog log)
    {
        ImageConfig config;
        try { config = ImageConfig.Parse(File.ReadAllBytes(configPath)); }
        catch (FormatException) { return; }
        var wanted = Platform.Parse(platform);
        if (config.Os != wanted.Os || config.Architecture != wanted.Architecture)
            log.Warning(Codes.BasePlatformMismatch,
                $"BaseLayer '{input.ItemSpec}' is an image for {config.Os}/{config.Architecture}, but ContainerPlatform is {wanted}: the image is labelled {wanted}. " +
                $"Set ContainerPlatform to {config.Os}/{config.Architecture} if that is the platform you build for.");
    }

    private static ResolvedImage Resolve(LayerInput input, InputKind kind, LayerBuildOptions options, string spoolDirectory)
    {
        Platform platform;
        try { platform = Platform.Parse(options.Platform); }
        catch (FormatException e) { throw new ContainerSdkException(Codes.InvalidProperty, $"ContainerPlatform: {e.Message}"); }

        if (kind == InputKind.OciLayout)
            return OciImageResolver.Resolve(new DirectoryImageFiles(input.SourcePath, input.ItemSpec), input.Reference, platform);

        var files = new TarImageFiles(input.SourcePath, input.ItemSpec, spoolDirectory);
        if (files.Exists("index.json") && files.Exists("oci-layout"))
            return OciImageResolver.Resolve(files, input.Reference, platform);
        if (files.Exists("manifest.json"))
            return DockerArchiveResolver.Resolve(files, input.Reference);
        throw new ContainerSdkException(Codes.InvalidBaseImage,
            $"'{input.ItemSpec}' looks like an image archive but has neither index.json (oci-archive) nor manifest.json (docker-archive).");
    }

    /// <summary>Content-addressed, so a config already saved by an earlier build is the same file.</summary>
    private static string SaveConfig(WorkPaths paths, byte[] configJson)
    {
        Directory.CreateDirectory(paths.ImageConfigs);
        string path = Path.Combine(paths.ImageConfigs, Digest.Compute(configJson).Hex + ".json");
        if (!File.Exists(path))
        {
            string temp = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
            File.WriteAllBytes(temp, configJson);
            File.Move(temp, path, overwrite: true);
        }
        return path;
    }

    /// <summary>
    /// A layout folder's blob is used in place (its size checked; hashing gigabytes each build would defeat the
    /// layer cache). An archive's blob is copied out once, hashed on the way, and must have the digest its
    /// manifest says (a docker-archive names none: an uncompressed layer must then match its diffID).
    /// </summary>
    private static (string Path, Descriptor Descriptor) MaterializeBlob(ImageFiles files, ResolvedLayer layer, string blobDirectory, string itemSpec,
        Func<string, byte[]>? hashFile)
    {
        var descriptor = layer.Descriptor;
        if (!files.Exists(layer.BlobName))
            throw new ContainerSdkException(Codes.InvalidBaseImage, $"Image '{itemSpec}' lacks layer blob '{layer.BlobName}'.");
        long length = files.Length(layer.BlobName);
        if (length != descriptor.Size)
            throw new ContainerSdkException(Codes.BlobDigestMismatch, $"Image '{itemSpec}': blob '{layer.BlobName}' is {length} bytes, its manifest says {descriptor.Size}; the image is damaged.");

        if (files.FilePath(layer.BlobName) is { } inPlace)
        {
            // Reused byte for byte in the output image, so its bytes must be the ones its digest names (a damaged blob of
            // the right size would otherwise ship under a digest that lies). Through the stat cache: hashed once, then
            // again only when the file changes.
            if (hashFile is not null && descriptor.Digest.Hex is not null && Digest.FromSha256Bytes(hashFile(inPlace)) != descriptor.Digest)
                throw new ContainerSdkException(Codes.BlobDigestMismatch,
                    $"Image '{itemSpec}': layer blob '{layer.BlobName}' does not have the digest its manifest says ({descriptor.Digest}); the image is damaged.", inPlace);
            return (inPlace, descriptor);
        }

        bool known = descriptor.Digest.Hex is not null;
        // A docker-archive's layers are plain tars, whose digest is their diffID: copied out by an earlier build, they are there.
        var expected = known ? descriptor.Digest : descriptor.MediaType == MediaTypes.LayerTar ? layer.DiffId : (Digest?)null;
        if (expected is { } e)
        {
            var existing = new FileInfo(Path.Combine(blobDirectory, e.Hex));
            if (existing.Exists && existing.Length == length) return (existing.FullName, descriptor with { Digest = e });
        }

        Directory.CreateDirectory(blobDirectory);
        string temp = Path.Combine(blobDirectory, ".csdk-tmp-base-" + Guid.NewGuid().ToString("N"));
        try
        {
            Digest digest;
            using (var source = files.Open(layer.BlobName))
            using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[1 << 16];
                int n;
                while ((n = source.Read(buffer)) > 0)
                {
                    sha.AppendData(buffer, 0, n);
                    target.Write(buffer, 0, n);
                }
                digest = Digest.FromSha256Bytes(sha.GetCurrentHash());
            }
            if (known && digest != descriptor.Digest)
                throw new ContainerSdkException(Codes.BlobDigestMismatch,
                    $"Image '{itemSpec}': layer blob '{layer.BlobName}' has digest {digest}, its manifest says {descriptor.Digest}; the image is damaged.");
            if (!known && descriptor.MediaType == MediaTypes.LayerTar && digest != layer.DiffId)
                throw new ContainerSdkException(Codes.BlobDigestMismatch,
                    $"Image '{itemSpec}': layer '{layer.BlobName}' has digest {digest}, its config says {layer.DiffId}; the image is damaged.");
            string final = Path.Combine(blobDirectory, digest.Hex);
            File.Move(temp, final, overwrite: true);
            return (final, descriptor with { Digest = digest });
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
