using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Images;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Outputs;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Core.Engine;

/// <summary>
/// The engine's composition root: where images come from, where they go and where layers are cached, the one place
/// that names the concrete kinds and wires them together. A new kind is a class in its room plus a line here.
/// </summary>
internal static class Composition
{
    /// <summary>Asked in order; the first that recognizes an item's location reads it. An item none recognizes is a folder or a tarball.</summary>
    public static IReadOnlyList<IImageSourceKind> ImageSources { get; } = new IImageSourceKind[] { new OciLayoutSource(), new ImageArchiveSource() };

    /// <summary>The image layout every build writes (ContainerImageLayoutPath).</summary>
    public static IImageWriter LayoutWriter { get; } = new OciLayoutOutput();

    /// <summary>The single-file outputs ContainerArchiveFormat selects by name.</summary>
    public static IReadOnlyList<IImageWriter> ArchiveWriters { get; } = new IImageWriter[] { new OciArchiveWriter(), new DockerArchiveWriter() };

    /// <summary>The kinds of one build: a registry source needs the build's registry options, blob store and log.</summary>
    public static IReadOnlyList<IImageSourceKind> ImageSourcesWith(RegistryOptions registries, BlobStore store, IBuildLog log) =>
        new IImageSourceKind[] { new RegistryImageSource(registries, store.Root, log) }.Concat(ImageSources).ToArray();

    /// <summary>The layer cache of a build: the folder cache (ContainerCacheDirectory, else the work folder), then ContainerCacheRepository when set (prefetching by shape).</summary>
    /// <param name="needsLayerBytes">False when nothing local reads a layer's bytes (GenerateContainerImageLayout false, no bundle, archive or
    /// SquashFS image): the registry's hits are left there, and nothing is prefetched.</param>
    public static ILayerCache LayerCache(WorkPaths paths, LayerCacheRepository? shared = null, bool needsLayerBytes = true) =>
        shared is null ? new FolderLayerCache(paths)
        : needsLayerBytes ? PrefetchingLayerCache.Chain(new FolderLayerCache(paths), new RegistryLayerCache(shared))
        : new LayerCacheChain(new FolderLayerCache(paths), new RegistryLayerCache(shared, leaveBlobsThere: true));

    /// <summary>Where bundle segments no layer holds whole are shared: ContainerCacheRepository when set, else nowhere (the segment folder alone).</summary>
    public static IBundleSegmentStore? SegmentStore(LayerCacheRepository? shared) => shared is null ? null : new RegistrySegmentStore(shared);

    /// <summary>Where registry bases' tarball indexes are shared (ContainerCacheRepository), so that a publish-only build downloads no base layer.</summary>
    public static ITarballIndexStore? TarballIndexStore(LayerCacheRepository? shared) => shared is null ? null : new RegistryTarballIndexStore(shared);

    /// <summary>Where a built image goes on <c>dotnet publish</c>.</summary>
    public static IImageWriter RegistryWriter(RegistryOptions registries, IReadOnlyList<PublishedLayer> layers, string? cacheRepository) =>
        new RegistryImageWriter(registries, layers, cacheRepository);

    /// <summary>How this build reaches registries: ContainerInsecureRegistries plus DOTNET_CONTAINER_INSECURE_REGISTRIES, the user's credentials.</summary>
    public static RegistryOptions Registries(string? insecureRegistries, TimeSpan? registryTimeout = null) => new()
    {
        InsecureRegistries = RegistryOptions.ParseInsecureRegistries(insecureRegistries, Environment.GetEnvironmentVariable("DOTNET_CONTAINER_INSECURE_REGISTRIES")),
        ResponseTimeout = registryTimeout ?? TimeSpan.FromSeconds(Properties.DefaultRegistryTimeout),
    };

    /// <summary>The writer ContainerArchiveFormat names; blank is <see cref="Properties.DefaultArchiveFormat"/>.</summary>
    public static IImageWriter ArchiveWriter(string? format)
    {
        string name = string.IsNullOrWhiteSpace(format) ? Properties.DefaultArchiveFormat : format.Trim().ToLowerInvariant();
        return ArchiveWriters.FirstOrDefault(w => w.Names.Contains(name, StringComparer.Ordinal))
               ?? throw new ContainerSdkException(Codes.InvalidArchiveFormat,
                   $"ContainerArchiveFormat is '{format}': expected {string.Join(" or ", ArchiveWriters.Select(w => $"{w.Names[^1]} (an {w.Names[0]})"))}.");
    }
}
