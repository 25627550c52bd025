using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Build;

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
        => Layers.LayerStackBuilder.Build(layers, aclFiles, options, log, cancellationToken, bundle);

    /// <summary>Writes the OCI image layout (config, manifest, index.json with every tag) at <paramref name="layoutPath"/>.</summary>
    public static ImageResult WriteImage(IReadOnlyList<BuiltLayer> layers, ImageSettings settings, string layoutPath, IBuildLog log)
        => ImageWriter.Write(layers, settings, layoutPath, log);

}
