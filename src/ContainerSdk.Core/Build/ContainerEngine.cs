using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Build;

/// <summary>
/// The three steps of a build, as the MSBuild tasks call them. Each step is independent so that a
/// target can skip it when its inputs did not change.
/// </summary>
public static class ContainerEngine
{
    /// <summary>Builds (or takes from the layer cache) one layer per base and module, in item order.</summary>
    public static IReadOnlyList<BuiltLayer> BuildLayers(IReadOnlyList<LayerInput> layers, IReadOnlyList<AclFileInput> aclFiles,
        LayerBuildOptions options, IBuildLog log, CancellationToken cancellationToken = default)
        => Layers.LayerStackBuilder.Build(layers, aclFiles, options, log, cancellationToken);

    /// <summary>Writes the OCI image layout (config, manifest, index.json with every tag) at <paramref name="layoutPath"/>.</summary>
    public static ImageResult WriteImage(IReadOnlyList<BuiltLayer> layers, ImageSettings settings, string layoutPath, IBuildLog log)
        => ImageWriter.Write(layers, settings, layoutPath, log);

    /// <summary>Flattens the layers into the bundle tarball (gzip) and its ACL dump.</summary>
    public static void WriteBundle(IReadOnlyList<BuiltLayer> layers, string bundlePath, string aclPath, long epoch, IBuildLog log)
        => Bundle.BundleWriter.Write(layers, bundlePath, aclPath, epoch, log);
}
