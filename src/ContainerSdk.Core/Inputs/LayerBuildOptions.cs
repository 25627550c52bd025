using ContainerSdk.Core.Blobs;

namespace ContainerSdk.Core.Inputs;

/// <summary>Settings that change a layer's bytes, shared by every layer of one build.</summary>
internal sealed record LayerBuildOptions
{
    /// <summary>The one timestamp written into every entry (ContainerSourceDateEpoch).</summary>
    public long Epoch { get; init; }
    public LayerCompression Compression { get; init; } = LayerCompression.Gzip;

    /// <summary>ContainerLayerCompressionLevel, parsed (<see cref="Properties.CompressionLevel"/>): the deflate levels of gzip layers and of the bundle.</summary>
    public LayerCompressionLevel CompressionLevel { get; init; } = LayerCompressionLevel.Default;

    /// <summary>The image picked from a multi-platform base image (ContainerPlatform, as <see cref="Properties.Platform"/> parses it).</summary>
    public Oci.Platform Platform { get; init; } = Properties.Platform(null);

    /// <summary>Folder the engine owns under the intermediate output: spool files, layer cache.</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>
    /// Whether an output of this machine reads the layers' bytes: the image layout (GenerateContainerImageLayout) or an
    /// archive made from it. False (and no bundle or SquashFS image) leaves a registry cache's hits in the registry.
    /// </summary>
    public bool LocalImage { get; init; } = true;

    /// <summary>The image folder modulefiles are installed into (ContainerModulePath).</summary>
    public string ModulePath { get; init; } = Properties.DefaultModulePath;

    /// <summary>The site's SitePackage.lua (ContainerLmodSitePackage, full path), read with every modulefile; null for none.</summary>
    public string? LmodSitePackage { get; init; }

    /// <summary>ContainerLayerSplitSize: a module larger than this (uncompressed bytes) becomes several layers; 0 never.</summary>
    public long SplitSize { get; init; } = Properties.DefaultLayerSplitSize;
}
