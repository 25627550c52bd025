using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Build;

/// <summary>
/// Writes the image for a list of built layers: config, manifest and an index.json with one entry per tag, in an
/// OCI image layout that podman, skopeo, umoci and containerd take as is.
/// </summary>
public static class ImageWriter
{
    public const string CreatedAnnotation = "org.opencontainers.image.created";

    /// <summary>containerd's import names images by this annotation; the others ignore it.</summary>
    public const string ContainerdNameAnnotation = "io.containerd.image.name";

    public const string BaseDigestAnnotation = "org.opencontainers.image.base.digest";
    public const string BaseNameAnnotation = "org.opencontainers.image.base.name";

    /// <summary>The creation time, the modules (same keys as the labels) and, when the base is an image, which one.</summary>
    private static SortedDictionary<string, string> ManifestAnnotations(IReadOnlyList<BuiltLayer> layers, string created)
    {
        var annotations = ModuleLabels.For(layers);
        annotations[CreatedAnnotation] = created;
        if (layers.LastOrDefault(l => l.FromImage is not null)?.FromImage is { } origin)
        {
            if (origin.ManifestDigest is { } digest) annotations[BaseDigestAnnotation] = digest;
            if (!string.IsNullOrEmpty(origin.ImageName)) annotations[BaseNameAnnotation] = origin.ImageName;
        }
        return annotations;
    }

    public static ImageResult Write(IReadOnlyList<BuiltLayer> layers, ImageSettings settings, string layoutPath, IBuildLog log)
    {
        ImageReference.ValidateRepository(settings.Repository);
        var tags = settings.Tags.Distinct(StringComparer.Ordinal).ToArray();
        if (tags.Length == 0) throw new ContainerSdkException(Codes.InvalidTag, "No image tag is set: ContainerImageTag or ContainerImageTags must name at least one.");
        foreach (var tag in tags) ImageReference.ValidateTag(tag);
        if (layers.Count == 0) throw new ContainerSdkException(Codes.NoLayers, "The image has no layers: add at least one BaseLayer or Module item.");

        Platform platform;
        try { platform = Platform.Parse(settings.Platform); }
        catch (FormatException e) { throw new ContainerSdkException(Codes.InvalidProperty, $"ContainerRuntimeIdentifier/platform: {e.Message}"); }

        var created = OciJson.FormatTime(settings.Epoch);
        var config = ImageConfigComposer.Compose(layers, settings, platform, created, log);
        var configJson = config.ToJson();

        var layout = new OciLayoutWriter(layoutPath);
        foreach (var layer in layers) layout.AddBlobFromFile(layer.BlobPath, layer.Descriptor);
        var configDescriptor = layout.AddBlob(configJson, MediaTypes.ImageConfig);
        var manifest = new Manifest
        {
            Config = configDescriptor,
            Layers = layers.Select(l => l.Descriptor with { Annotations = null, Platform = null }).ToArray(),
            Annotations = ManifestAnnotations(layers, created),
        };
        var manifestDescriptor = layout.AddBlob(manifest.ToJson(), MediaTypes.ImageManifest);

        var index = new ImageIndex
        {
            Manifests = tags.Select(tag => manifestDescriptor with
            {
                Platform = platform,
                Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal)
                {
                    [ImageIndex.RefNameAnnotation] = tag,
                    [ContainerdNameAnnotation] = $"{settings.Repository}:{tag}",
                },
            }).ToArray(),
        };
        layout.WriteIndex(index);

        log.Info($"Image {settings.Repository} written to {layout.LayoutPath}: manifest {manifestDescriptor.Digest}, tags {string.Join(", ", tags)}");
        return new ImageResult(manifestDescriptor.Digest, configDescriptor.Digest, tags, layout.LayoutPath);
    }
}
