using ContainerSdk.Core.Images;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Outputs;

/// <summary>
/// The image the image step composes: its documents in memory, its layer blobs where the layers step left them (the
/// layer cache, or a registry that holds them: <see cref="BuiltLayer.Remote"/>, read through <paramref name="openRemote"/>).
/// </summary>
internal sealed class ComposedImage(Descriptor manifestDescriptor, byte[] manifestJson, byte[] configJson, ImageConfig config, IReadOnlyList<BuiltLayer> layers,
    Func<BuiltLayer, Stream>? openRemote = null) : IImage
{
    public Descriptor? ManifestDescriptor { get; } = manifestDescriptor;
    public byte[]? ManifestJson { get; } = manifestJson;
    public byte[] ConfigJson { get; } = configJson;
    public ImageConfig Config { get; } = config;

    public IReadOnlyList<ImageLayer> Layers { get; } =
        layers.Select(l => new ImageLayer(l.Descriptor with { Annotations = null, Platform = null }, l.DiffId, l.CreatedBy)).ToArray();

    public string? BlobFile(int layer) => layers[layer].Remote is null ? layers[layer].BlobPath : null;

    public Stream OpenBlob(int layer) => layers[layer] switch
    {
        { Remote: null } local => new FileStream(local.BlobPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan),
        var remote => openRemote?.Invoke(remote)
                      ?? throw new InvalidOperationException($"The layer {remote.Descriptor.Digest} is in {remote.Remote}, and nothing here reads it from there."),
    };
}
