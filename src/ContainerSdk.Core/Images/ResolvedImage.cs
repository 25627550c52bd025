using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Images;

/// <summary>One layer of an image used as a base: its blob as the image stores it, and its history text.</summary>
internal sealed record ResolvedLayer(Descriptor Descriptor, Digest DiffId, string BlobName, string? CreatedBy);

/// <summary>
/// The one image a base item selects out of image files (tag and platform applied): its config as stored, and its
/// layers bottom first, each blob present with the size its manifest says (checked here, before any is read).
/// <see cref="ManifestDigest"/> is null for a docker-archive, which has no manifest blob.
/// </summary>
internal sealed class ResolvedImage : IImageSource
{
    private readonly ImageFiles _files;
    private readonly IReadOnlyList<ResolvedLayer> _layers;

    public ResolvedImage(ImageFiles files, byte[] configJson, ImageConfig config, Digest? manifestDigest, string? name, IReadOnlyList<ResolvedLayer> layers)
    {
        foreach (var layer in layers)
        {
            if (!files.Exists(layer.BlobName))
                throw new ContainerSdkException(Codes.InvalidBaseImage, $"Image '{files.ItemSpec}' lacks layer blob '{layer.BlobName}'.");
            long length = files.Length(layer.BlobName);
            if (length != layer.Descriptor.Size)
                throw new ContainerSdkException(Codes.BlobDigestMismatch,
                    $"Image '{files.ItemSpec}': blob '{layer.BlobName}' is {length} bytes, its manifest says {layer.Descriptor.Size}; the image is damaged.");
        }
        (_files, _layers, ConfigJson, Config, ManifestDigest, Name) = (files, layers, configJson, config, manifestDigest, name);
        Layers = layers.Select(l => new SourceLayer(l.Descriptor, l.DiffId, l.CreatedBy)).ToArray();
    }

    public byte[] ConfigJson { get; }
    public ImageConfig Config { get; }
    public Digest? ManifestDigest { get; }
    public string? Name { get; }
    public IReadOnlyList<SourceLayer> Layers { get; }

    public string? BlobFile(int layer) => _files.FilePath(_layers[layer].BlobName);

    public Stream OpenBlob(int layer) => _files.Open(_layers[layer].BlobName);

    /// <summary>The blob name, for messages.</summary>
    public string BlobName(int layer) => _layers[layer].BlobName;

    public void Dispose() { }
}
