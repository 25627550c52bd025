using ContainerSdk.Core.Images;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Outputs;

/// <summary>The image the image step composes: its documents in memory, its layer blobs where the layers step left them (the layer cache).</summary>
internal sealed class ComposedImage(Descriptor manifestDescriptor, byte[] manifestJson, byte[] configJson, ImageConfig config, IReadOnlyList<BuiltLayer> layers) : IImage
{
    public Descriptor? ManifestDescriptor { get; } = manifestDescriptor;
    public byte[]? ManifestJson { get; } = manifestJson;
    public byte[] ConfigJson { get; } = configJson;
    public ImageConfig Config { get; } = config;

    public IReadOnlyList<ImageLayer> Layers { get; } =
        layers.Select(l => new ImageLayer(l.Descriptor with { Annotations = null, Platform = null }, l.DiffId, l.CreatedBy)).ToArray();

    public string? BlobFile(int layer) => layers[layer].BlobPath;

    public Stream OpenBlob(int layer) =>
        new FileStream(layers[layer].BlobPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
}
