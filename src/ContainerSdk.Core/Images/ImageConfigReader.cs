using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Images;

/// <summary>Pairs an image's layers with its config: diff_ids by position, history entries that added a layer by position.</summary>
internal static class ImageConfigReader
{
    /// <param name="manifest">The manifest's descriptor and bytes, or null for an image that has none (a docker-archive).</param>
    public static ResolvedImage Build(ImageFiles files, (Descriptor Descriptor, byte[] Json)? manifest, byte[] configJson,
        IReadOnlyList<(Descriptor Descriptor, string BlobName)> layers, string? name, bool layersHere = true)
    {
        ImageConfig config;
        try { config = ImageConfig.Parse(configJson); }
        catch (FormatException e) { throw files.Invalid($"its config: {e.Message}"); }
        if (config.DiffIds.Count != layers.Count)
            throw files.Invalid($"its manifest lists {layers.Count} layers but its config {config.DiffIds.Count} diff_ids");

        var layerHistory = config.History.Where(h => !h.EmptyLayer).ToList();
        bool historyMatches = layerHistory.Count == layers.Count;
        var resolved = layers.Select((l, i) => new ResolvedLayer(new ImageLayer(
            l.Descriptor with { MediaType = OciLayerMediaType(files, l.Descriptor.MediaType), Annotations = null, Platform = null },
            config.DiffIds[i], historyMatches ? layerHistory[i].CreatedBy ?? layerHistory[i].Comment : null), l.BlobName)).ToList();
        return new ResolvedImage(files, manifest?.Descriptor, manifest?.Json, configJson, config, name, resolved, layersHere);
    }

    /// <summary>The OCI name of a layer type: same bytes, so the blob's digest is untouched.</summary>
    public static string OciLayerMediaType(ImageFiles files, string mediaType) => mediaType switch
    {
        MediaTypes.LayerTar or MediaTypes.LayerGzip or MediaTypes.LayerZstd => mediaType,
        MediaTypes.DockerLayerGzip => MediaTypes.LayerGzip,
        "application/vnd.docker.image.rootfs.diff.tar" => MediaTypes.LayerTar,
        "application/vnd.docker.image.rootfs.diff.tar.zstd" => MediaTypes.LayerZstd,
        "application/vnd.oci.image.layer.nondistributable.v1.tar" => MediaTypes.LayerTar,
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip" => MediaTypes.LayerGzip,
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd" => MediaTypes.LayerZstd,
        _ => throw new ContainerSdkException(Codes.UnsupportedInputFormat,
            $"Image '{files.ItemSpec}' has a layer of type '{mediaType}'; layers must be tar, tar+gzip or tar+zstd."),
    };
}
