using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Images;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Outputs;

namespace ContainerSdk.Core.Engine;

/// <summary>
/// Where images come from, where they go and where layers are cached: the one place that lists the kinds. A new
/// kind is a class in its room plus a line here.
/// </summary>
public static class Kinds
{
    /// <summary>Asked in order; the first that recognizes an item's location reads it. An item none recognizes is a folder or a tarball.</summary>
    public static IReadOnlyList<IImageSourceKind> ImageSources { get; } = new IImageSourceKind[] { new OciLayoutSource(), new ImageArchiveSource() };

    /// <summary>The image layout every build writes (ContainerImageLayoutPath).</summary>
    public static IImageWriter LayoutWriter { get; } = new OciLayoutOutput();

    /// <summary>The single-file outputs ContainerArchiveFormat selects by name.</summary>
    public static IReadOnlyList<IImageWriter> ArchiveWriters { get; } = new IImageWriter[] { new OciArchiveWriter(), new DockerArchiveWriter() };

    /// <summary>The layer cache of a build: today the folder cache in the work folder.</summary>
    public static ILayerCache LayerCache(WorkPaths paths) => new FolderLayerCache(paths.CacheRoot, paths.Blobs);

    /// <summary>The writer ContainerArchiveFormat names; blank is <see cref="Properties.DefaultArchiveFormat"/>.</summary>
    public static IImageWriter ArchiveWriter(string? format)
    {
        string name = string.IsNullOrWhiteSpace(format) ? Properties.DefaultArchiveFormat : format.Trim().ToLowerInvariant();
        return ArchiveWriters.FirstOrDefault(w => w.Names.Contains(name, StringComparer.Ordinal))
               ?? throw new ContainerSdkException(Codes.InvalidArchiveFormat,
                   $"ContainerArchiveFormat is '{format}': expected {string.Join(" or ", ArchiveWriters.Select(w => $"{w.Names[^1]} (an {w.Names[0]})"))}.");
    }
}
