using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// Where a layer came from when it is a layer of an image used as a base: the image's config (saved in the work
/// folder, the starting config of the new image), its manifest digest and name (the base.* annotations).
/// </summary>
internal sealed record ImageOrigin(string ConfigPath, string? ManifestDigest, string? ImageName)
{
    private ImageConfig? _config;

    /// <summary>
    /// The config, parsed once: given by the planner (the image source parsed it), else read from
    /// <see cref="ConfigPath"/> on first use (the image step, in a process of its own) and kept.
    /// </summary>
    public ImageConfig Config
    {
        get => _config ??= Read(ConfigPath);
        init => _config = value;
    }

    private static ImageConfig Read(string configPath)
    {
        try { return ImageConfig.Parse(File.ReadAllBytes(configPath)); }
        catch (Exception e) when (e is IOException or FormatException)
        {
            throw new ContainerSdkException(Codes.InvalidBaseImage, $"The base image config '{configPath}' cannot be read ({e.Message}); build again (Rebuild).");
        }
    }

    /// <summary>The config path names its content (a digest): the parsed config is not part of what an origin is.</summary>
    public bool Equals(ImageOrigin? other) =>
        other is not null && ConfigPath == other.ConfigPath && ManifestDigest == other.ManifestDigest && ImageName == other.ImageName;

    public override int GetHashCode() => HashCode.Combine(ConfigPath, ManifestDigest, ImageName);
}
