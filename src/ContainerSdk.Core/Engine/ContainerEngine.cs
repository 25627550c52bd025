using ContainerSdk.Core.Bundle;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Outputs;
using ContainerSdk.Core.Registry;
using ContainerSdk.Core.Signing;

namespace ContainerSdk.Core.Engine;

/// <summary>
/// The entry point, as the MSBuild tasks call it: layers (plan, layers, bundle), then the image, then any other
/// output. Each is independent so that a target can skip it when its inputs did not change.
/// </summary>
internal static class ContainerEngine
{
    /// <summary>
    /// Builds (or takes from the layer cache) one layer per base and module, in item order, and, when
    /// <paramref name="bundle"/> is given, the bundle: the flattened tree and its ACL dump, flattened from the same
    /// plans, without reading the layers back. The items come checked (<see cref="LayerInputs.Validate(LayerInput)"/>),
    /// the options parsed (<see cref="Properties"/>): nothing here checks or parses them again.
    /// </summary>
    /// <param name="clock">The stat cache's clock (the system's; a test moves it instead of waiting out the racy window).</param>
    /// <param name="squashfs">Where to write the flattened tree as a SquashFS image (GenerateContainerSquashfs), or null.</param>
    /// <param name="progressInterval">How often long work logs a progress line; the default is <see cref="ProgressTicker.DefaultInterval"/> (a test makes it short).</param>
    public static LayersResult BuildLayers(IReadOnlyList<LayerRequest> layers, IReadOnlyList<AclFileRequest> aclFiles,
        LayerBuildOptions options, IBuildLog log, CancellationToken cancellationToken = default, BundleOutput? bundle = null,
        RegistrySettings? registries = null, TimeProvider? clock = null, SquashfsOutput? squashfs = null, TimeSpan? progressInterval = null)
    {
        registries ??= new RegistrySettings();

        // Two builds of one project at once would write the same cache, blobs and bundle: the second waits.
        using var _ = WorkLock.Acquire(Path.Combine(options.WorkDirectory, ".lock"), log, cancellationToken: cancellationToken);
        var paths = new WorkPaths(options.WorkDirectory, registries.CacheDirectory);
        int leftovers = WorkSweep.DeleteLeftovers(paths)
                        + (bundle is null ? 0 : WorkSweep.DeleteLeftoversOf(bundle.BundlePath, bundle.AclPath))
                        + (squashfs is null ? 0 : WorkSweep.DeleteLeftoversOf(squashfs.Path, squashfs.NarrowedListPath));
        if (leftovers is > 0 and var n)
            log.Detail($"Deleted {n} temporary file(s) left in {options.WorkDirectory} by an interrupted build.");
        // Builds of other projects may use ContainerCacheDirectory at the same time: they share it, none waits.
        using var sharing = paths.IsShared ? SharedCacheLock.Enter(SharedCacheLock.LockFileOf(paths.Shared), () =>
        {
            if (WorkSweep.DeleteSharedLeftovers(paths) is > 0 and var m)
                log.Detail($"Deleted {m} temporary file(s) left in {paths.Shared} by interrupted builds.");
        }, cancellationToken: cancellationToken) : null;

        var registryOptions = Composition.Registries(registries.InsecureRegistries, registries.RegistryTimeout);
        // Pulled bases and registry cache hits, by digest.
        var store = new BlobStore(paths.Registry);
        using var shared = SharedLayerCache(registries.CacheRepository, layers, registryOptions, store, log);
        // A layout, a bundle or a SquashFS image reads every layer's bytes; without them (publish only) none is fetched.
        bool needsLayerBytes = options.LocalImage || bundle is not null || squashfs is not null;
        var context = new BuildContext
        {
            Options = options, Paths = paths, StatCache = StatCache.Load(paths.StatCache, clock),
            LayerCache = Composition.LayerCache(paths, shared, needsLayerBytes), NeedsLayerBytes = needsLayerBytes,
            TarballIndexStore = Composition.TarballIndexStore(shared),
            LayerCacheIsShared = shared is not null || paths.IsShared, SegmentStore = Composition.SegmentStore(shared),
            ImageSources = Composition.ImageSourcesWith(registryOptions, store, log), Log = log, Cancellation = cancellationToken,
            ProgressInterval = progressInterval ?? ProgressTicker.DefaultInterval,
        };
        try
        {
            var plans = LayerStackPlanner.Plan(layers, aclFiles, context);
            var built = LayerStackBuilder.Build(plans, context);
            cancellationToken.ThrowIfCancellationRequested();
            if (bundle is not null) BundleWriter.Write(plans, bundle, context, built.Select(b => b.BlobPath).ToList());
            var image = squashfs is null ? null : SquashfsImageWriter.Write(plans, squashfs, context);
            CacheBound.Keep(paths, built, registries.CacheMaxSize, sharing, log);
            return new LayersResult(built, image, NamedAclEntries.In(plans));
        }
        finally
        {
            // Spooled tarballs are only needed while layers are written.
            if (Directory.Exists(paths.Spool)) Directory.Delete(paths.Spool, recursive: true);
        }
    }

    /// <summary>ContainerCacheRepository, once every module's AllowedRegistries lets its layer go there (checked before any byte is sent).</summary>
    private static LayerCacheRepository? SharedLayerCache(string? location, IReadOnlyList<LayerRequest> inputs, RegistryOptions options, BlobStore store, IBuildLog log)
    {
        if (string.IsNullOrWhiteSpace(location)) return null;
        var (registry, repository) = LayerCacheRepository.ParseLocation(location);
        AllowedRegistries.Check(registry, repository, inputs.Select(i => (i.ItemSpec, i.AllowedRegistries)), "store its layer in the layer cache (ContainerCacheRepository)");
        return new LayerCacheRepository(registry, repository, options, store, log);
    }

    /// <summary>
    /// Pushes the image of the layout at <paramref name="layoutPath"/> to the registry <paramref name="settings"/> name
    /// (<c>dotnet publish</c>) under every tag it names, with its referrers (the SBOM, the ACL dump); returns the pushed
    /// manifest's digest, the local one, and what the push cost in the publish line's words.
    /// Without a layout (GenerateContainerImageLayout false), the image step's documents in <paramref name="workDirectory"/>
    /// and the layers of <paramref name="layersFile"/>: a layer left in a registry is mounted from it (same registry) or
    /// streamed from it (another), never downloaded to disk.
    /// </summary>
    /// <param name="signer">ContainerSigningKey opened (<see cref="OpenSigningKey"/>): every pushed manifest is signed with it; null signs nothing.</param>
    public static PublishResult PublishImage(string? layoutPath, PublishSettings settings, RegistrySettings registries, IBuildLog log,
        IImageSigner? signer = null, string? layersFile = null, string? workDirectory = null)
    {
        var options = Composition.Registries(registries.InsecureRegistries, registries.RegistryTimeout);
        var writer = Composition.RegistryWriter(options, settings.Layers, registries.CacheRepository);
        using var remote = new RemoteLayers(options, log);
        BuiltImage image;
        if (!string.IsNullOrEmpty(layoutPath))
            image = BuiltImage.FromLayout(Path.GetFullPath(layoutPath), settings.Repository, referrers: true).WithTags(settings.Tags);
        else
        {
            var work = workDirectory ?? throw new ArgumentException("Without a layout, the work folder holds the image's documents.", nameof(workDirectory));
            var layers = LayerState.Read(layersFile ?? throw new ArgumentException("Without a layout, layers.state names the layers.", nameof(layersFile)));
            image = ImageDocuments.Read(new WorkPaths(work).ImageDocuments, settings.Repository, settings.Tags, layers, remote.Open);
        }
        var written = writer.Write(image, $"{settings.Registry}/{settings.Repository}", new ImageWriteContext(0, workDirectory ?? Path.GetFullPath(layoutPath!), log));
        // The manifest each tag names is the one pushed (an image manifest, never an index): what podman and skopeo verify.
        signer?.Sign(new SignedImage(settings.Registry, settings.Repository, settings.Tags, written.ManifestDigest), new SigningContext(options, log));
        return new PublishResult(written.ManifestDigest, written.Pushed?.Summary ?? "");
    }

    /// <summary>
    /// ContainerSigningKey (and ContainerSignatureStore for a GPG key), opened and tried before anything is pushed;
    /// null when no key is set. Relative paths are read against <paramref name="projectDirectory"/>.
    /// </summary>
    public static IImageSigner? OpenSigningKey(string? key, string? store, string projectDirectory) =>
        SigningKeys.Open(key, store, projectDirectory);

    /// <summary>The check of the signing properties that needs no key: a GPG key needs ContainerSignatureStore.</summary>
    public static void CheckSigningSettings(string? key, string? store, string projectDirectory) =>
        SigningKeys.CheckStore(key, store, projectDirectory);

    /// <summary>The bundle (ContainerBundleOutputPath) and its ACL dump: ContainerBundleAclPath, else the bundle's path with <c>.acl</c>.</summary>
    public static BundleOutput Bundle(string bundlePath, string? aclPath) =>
        new(Path.GetFullPath(bundlePath), Path.GetFullPath(string.IsNullOrWhiteSpace(aclPath) ? Path.ChangeExtension(bundlePath, ".acl") : aclPath));

    /// <summary>
    /// The SquashFS image (ContainerSquashfsOutputPath) as GenerateContainerSquashfs asks for it, its compression and
    /// ACL policy parsed (<see cref="Properties.SquashfsCompression"/>, <see cref="Properties.SquashfsAclPolicy"/>).
    /// </summary>
    public static SquashfsOutput Squashfs(string imagePath, string? compression, string? aclPolicy) =>
        new(Path.GetFullPath(imagePath), Properties.SquashfsCompression(compression), Properties.SquashfsAclPolicy(aclPolicy));

    /// <summary>Writes the OCI image layout (config, manifest, index.json with every tag) at <paramref name="layoutPath"/>.</summary>
    /// <param name="workDirectory">The layers step's work folder, whose layer cache keeps trusting the blobs linked into the layout.</param>
    /// <param name="cacheDirectory">The layers step's ContainerCacheDirectory, where the blobs and their stamps are when it is set.</param>
    /// <param name="provenance">The SBOM to write and the files to attach to the image (OCI 1.1 referrers), or none.</param>
    /// <param name="layoutPath">Null: no layout (GenerateContainerImageLayout false); the manifest, the config and the
    /// referrers are kept in <paramref name="workDirectory"/> for <see cref="PublishImage"/>, and no layer byte is read or written.</param>
    public static ImageResult WriteImage(IReadOnlyList<BuiltLayer> layers, ImageSettings settings, string? layoutPath, IBuildLog log,
        string? workDirectory = null, string? cacheDirectory = null, ImageProvenance? provenance = null)
    {
        var (image, sbom) = Provenance.Attach(ImageComposer.Compose(layers, settings, log), layers, settings, provenance);
        if (sbom is not null && provenance?.SbomPath is { } sbomFile) Provenance.WriteSbom(sbomFile, sbom, log);
        if (layoutPath is null)
        {
            ImageDocuments.Write(new WorkPaths(workDirectory ?? throw new ArgumentException("Without a layout, the image's documents go to the work folder.", nameof(workDirectory))).ImageDocuments, image);
            return new ImageResult(image.ManifestDescriptor.Digest, image.Manifest.Config.Digest, image.Tags, "");
        }
        var full = OciLayoutWriter.CheckLayoutPath(layoutPath);
        // The layout's garbage collection deletes blobs it does not reach, another build's half-written ones among them.
        // The lock file is the project's, in its work folder (obj/): never in the layout (an OCI layout holds only what
        // the spec names), nor beside it in bin/, which holds the build's outputs and nothing that dotnet clean leaves.
        // Without a work folder (the engine's own tests), beside the layout.
        string lockFile = string.IsNullOrEmpty(workDirectory)
            ? Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".lock")
            : Path.Combine(workDirectory, "image.lock");
        using var _ = WorkLock.Acquire(lockFile, log);
        // A neighbour's build prunes a shared cache folder only while no build uses it: the blobs are linked under its lock.
        using var sharing = string.IsNullOrEmpty(cacheDirectory) ? null : SharedCacheLock.Enter(SharedCacheLock.LockFileOf(Path.GetFullPath(cacheDirectory)), () => { });
        var stamps = string.IsNullOrEmpty(workDirectory) ? null : new BlobStamps(new WorkPaths(workDirectory, cacheDirectory).BlobStamps);
        var written = Composition.LayoutWriter.Write(image, full, new ImageWriteContext(settings.Epoch, Path.GetDirectoryName(full)!, log) { BlobStamps = stamps });
        if (!string.IsNullOrEmpty(workDirectory)) CacheBound.AfterImage(new WorkPaths(workDirectory, cacheDirectory), layers, log);
        return new ImageResult(written.ManifestDigest, written.ConfigDigest, written.Tags, written.Destination);
    }

    /// <summary>
    /// Writes the image of the layout at <paramref name="layoutPath"/> as one file in the <paramref name="format"/>
    /// (ContainerArchiveFormat) names, under <paramref name="repository"/> with every tag of the layout.
    /// </summary>
    public static void WriteArchive(string layoutPath, string archivePath, string? format, string repository, long epoch, string workDirectory, IBuildLog log)
    {
        var writer = Composition.ArchiveWriter(format);
        var image = BuiltImage.FromLayout(Path.GetFullPath(layoutPath), Properties.Repository(repository));
        writer.Write(image, archivePath, new ImageWriteContext(epoch, workDirectory, log));
        log.Info($"Image archive ({writer.Names[0]}) written to {archivePath}");
    }
}
