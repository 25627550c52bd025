using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Engine;

/// <summary>ContainerArchiveFormat: oci (an oci-archive) or docker (a docker-archive).</summary>
public enum ArchiveFormat { Oci, Docker }

/// <summary>
/// The three steps of a build, as the MSBuild tasks call them. Each step is independent so that a
/// target can skip it when its inputs did not change.
/// </summary>
public static class ContainerEngine
{
    /// <summary>
    /// Builds (or takes from the layer cache) one layer per base and module, in item order, and, when
    /// <paramref name="bundle"/> is given, the bundle: the flattened tree and its ACL dump. The bundle is made
    /// here because it is flattened from the same plans, without reading the layers back.
    /// </summary>
    public static IReadOnlyList<BuiltLayer> BuildLayers(IReadOnlyList<LayerInput> layers, IReadOnlyList<AclFileInput> aclFiles,
        LayerBuildOptions options, IBuildLog log, CancellationToken cancellationToken = default, Bundle.BundleOutput? bundle = null)
    {
        // Two builds of one project at once would write the same cache, blobs and bundle: the second waits.
        using var _ = Cache.WorkLock.Acquire(Path.Combine(options.WorkDirectory, ".lock"), log, cancellationToken: cancellationToken);
        int leftovers = Cache.WorkSweep.DeleteLeftovers(options.WorkDirectory)
                        + (bundle is null ? 0 : Cache.WorkSweep.DeleteLeftoversOf(bundle.BundlePath, bundle.AclPath));
        if (leftovers is > 0 and var n)
            log.Detail($"Deleted {n} temporary file(s) left in {options.WorkDirectory} by an interrupted build.");
        return Layers.LayerStackBuilder.Build(layers, aclFiles, options, log, cancellationToken, bundle);
    }

    /// <summary>Writes the OCI image layout (config, manifest, index.json with every tag) at <paramref name="layoutPath"/>.</summary>
    public static ImageResult WriteImage(IReadOnlyList<BuiltLayer> layers, ImageSettings settings, string layoutPath, IBuildLog log)
    {
        // The layout's garbage collection deletes files it does not know, another build's half-written blobs
        // among them. The lock file sits beside the layout, not in it: an OCI layout holds only what the spec names.
        var full = Path.GetFullPath(layoutPath).TrimEnd('/');
        using var _ = Cache.WorkLock.Acquire(Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".lock"), log);
        return ImageWriter.Write(layers, settings, layoutPath, log);
    }

    /// <summary>
    /// Writes the image of the layout at <paramref name="layoutPath"/> as one file: an oci-archive, or a docker-archive
    /// named <paramref name="repository"/> with every tag of the layout (zstd layers recompressed to gzip, with a warning).
    /// </summary>
    public static void WriteArchive(string layoutPath, string archivePath, ArchiveFormat format, string repository, long epoch, string workDirectory, IBuildLog log)
    {
        if (format == ArchiveFormat.Docker) Oci.DockerArchiveWriter.Write(layoutPath, archivePath, repository, epoch, workDirectory, log);
        else Oci.OciArchiveWriter.Write(layoutPath, archivePath, repository, epoch);
        log.Info($"Image archive ({(format == ArchiveFormat.Docker ? "docker-archive" : "oci-archive")}) written to {archivePath}");
    }
}
