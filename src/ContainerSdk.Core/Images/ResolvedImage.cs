using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Images;

/// <summary>One layer of an image in image files: the model's layer, and the name of its blob among the files.</summary>
internal sealed record ResolvedLayer(ImageLayer Layer, string BlobName);

/// <summary>
/// One image read out of image files (a layout folder, an archive, the registry blob store): its documents as stored,
/// and its layers bottom first, each blob present with the size its manifest says (checked here, before any is read).
/// <see cref="ManifestDescriptor"/> is null for a docker-archive, which has no manifest blob.
/// </summary>
internal sealed class ResolvedImage : IImageSource
{
    private readonly ImageFiles _files;
    private readonly IReadOnlyList<ResolvedLayer> _layers;

    public ResolvedImage(ImageFiles files, Descriptor? manifestDescriptor, byte[]? manifestJson, byte[] configJson, ImageConfig config,
        string? name, IReadOnlyList<ResolvedLayer> layers, bool layersHere = true)
    {
        // An image whose layers were left in its registry (RemoteImage) has its documents here only.
        foreach (var layer in layersHere ? layers : Array.Empty<ResolvedLayer>())
        {
            if (!files.Exists(layer.BlobName))
                throw new ContainerSdkException(Codes.InvalidBaseImage, $"Image '{files.ItemSpec}' lacks layer blob '{layer.BlobName}'.");
            long length = files.Length(layer.BlobName);
            if (length != layer.Layer.Descriptor.Size)
                throw new ContainerSdkException(Codes.BlobDigestMismatch,
                    $"Image '{files.ItemSpec}': blob '{layer.BlobName}' is {length} bytes, its manifest says {layer.Layer.Descriptor.Size}; the image is damaged.");
        }
        (_files, _layers, ManifestDescriptor, ManifestJson, ConfigJson, Config, Name) = (files, layers, manifestDescriptor, manifestJson, configJson, config, name);
        Layers = layers.Select(l => l.Layer).ToArray();
    }

    public Descriptor? ManifestDescriptor { get; }
    public byte[]? ManifestJson { get; }
    public byte[] ConfigJson { get; }
    public ImageConfig Config { get; }
    public string? Name { get; }
    public IReadOnlyList<ImageLayer> Layers { get; }

    public string? BlobFile(int layer) => _files.FilePath(_layers[layer].BlobName);

    public Stream OpenBlob(int layer) => _files.Open(_layers[layer].BlobName);

    public void Dispose() { }
}
