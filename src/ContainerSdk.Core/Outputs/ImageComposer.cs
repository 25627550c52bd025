using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Outputs;

/// <summary>
/// The image step: the config, the manifest and an index with one entry per tag, for a list of built layers, as one
/// <see cref="BuiltImage"/> that every <see cref="IImageWriter"/> writes as is.
/// </summary>
internal static class ImageComposer
{
    /// <summary>The creation time, the modules (same keys as the labels) and, when the base is an image, which one.</summary>
    private static SortedDictionary<string, string> ManifestAnnotations(IReadOnlyList<BuiltLayer> layers, string created)
    {
        var annotations = ModuleLabels.For(layers, ImageConfigComposer.BaseLabelsOf(layers));
        annotations[Annotations.Created] = created;
        if (layers.LastOrDefault(l => l.FromImage is not null)?.FromImage is { } origin)
        {
            if (origin.ManifestDigest is { } digest) annotations[Annotations.BaseDigest] = digest;
            if (!string.IsNullOrEmpty(origin.ImageName)) annotations[Annotations.BaseName] = origin.ImageName;
        }
        return annotations;
    }

    /// <param name="log">Where the modulefiles' warnings go (they are evaluated here, over the layers below each).</param>
    public static BuiltImage Compose(IReadOnlyList<BuiltLayer> layers, ImageSettings settings, Diagnostics.IBuildLog log)
    {
        // Checked when the settings were made: the name and the platform are used as they are.
        var (repository, tags, platform) = (settings.Repository, settings.Tags, settings.Platform);
        if (layers.Count == 0) throw LayerInputs.NoLayers();

        var created = OciJson.FormatTime(settings.Epoch);
        var config = ImageConfigComposer.Compose(layers, settings, platform, created, log);
        var configJson = config.ToJson();
        var configDescriptor = new Descriptor(MediaTypes.ImageConfig, Digest.Compute(configJson), configJson.Length);
        var manifest = new Manifest
        {
            Config = configDescriptor,
            Layers = layers.Select(l => l.Descriptor with { Annotations = null, Platform = null }).ToArray(),
            Annotations = ManifestAnnotations(layers, created),
        };
        var manifestJson = manifest.ToJson();
        var manifestDescriptor = new Descriptor(MediaTypes.ImageManifest, Digest.Compute(manifestJson), manifestJson.Length);

        var index = new ImageIndex
        {
            Manifests = tags.Select(tag => manifestDescriptor with
            {
                Platform = platform,
                Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal)
                {
                    [ImageIndex.RefNameAnnotation] = tag,
                    [Annotations.ContainerdName] = $"{repository}:{tag}",
                },
            }).ToArray(),
        };
        return new BuiltImage(repository, index, new ComposedImage(manifestDescriptor, manifestJson, configJson, config, layers));
    }
}
