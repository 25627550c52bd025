using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Images;

/// <summary>
/// The one reader of the OCI image layout, whether a folder (a base item's, the layout a build wrote, the registry blob
/// store) or an oci-archive: index.json, the indexes and manifests it points at, and one image (manifest, config,
/// layers), each document checked against its digest. Which image a base item means (tag, platform) is
/// <see cref="OciImageResolver"/>'s choice; what the layout holds is read here.
/// </summary>
internal sealed class OciLayoutReader(ImageFiles files)
{
    public const string IndexName = "index.json";

    /// <summary>A layout folder; <paramref name="itemSpec"/> names it in messages.</summary>
    public static OciLayoutReader OpenFolder(string path, string itemSpec) => new(new DirectoryImageFiles(path, itemSpec));

    public ImageFiles Files { get; } = files;

    /// <summary>The layout's index.json.</summary>
    public ImageIndex ReadIndex() => ParseIndex(Files.ReadDocument(IndexName), IndexName);

    /// <summary>An index that <paramref name="descriptor"/> points at (a nested index, a multi-platform image).</summary>
    public ImageIndex ReadIndex(Descriptor descriptor) => ParseIndex(ReadDocument(descriptor), ImageFiles.BlobPath(descriptor.Digest));

    /// <summary>The image the manifest <paramref name="descriptor"/> points at: its manifest and config read and checked, its layers paired with the config.</summary>
    /// <param name="layersHere">False: the layers' blobs were left in a registry, their presence is not checked (<see cref="RemoteImage"/>).</param>
    public ResolvedImage ReadImage(Descriptor descriptor, string? name, bool layersHere = true)
    {
        var manifestJson = ReadDocument(descriptor);
        Manifest manifest;
        try { manifest = Manifest.Parse(manifestJson); }
        catch (FormatException e) { throw Files.Invalid(e.Message); }

        var configJson = ReadDocument(manifest.Config);
        var layers = manifest.Layers.Select(l => (l, ImageFiles.BlobPath(l.Digest))).ToList();
        var manifestDescriptor = new Descriptor(descriptor.MediaType, descriptor.Digest, manifestJson.Length);
        return ImageConfigReader.Build(Files, (manifestDescriptor, manifestJson), configJson, layers, name, layersHere);
    }

    /// <summary>A document (index, manifest, config) a descriptor points at, with the digest the descriptor says.</summary>
    private byte[] ReadDocument(Descriptor descriptor)
    {
        var content = Files.ReadDocument(ImageFiles.BlobPath(descriptor.Digest));
        if (Digest.Compute(content) != descriptor.Digest)
            throw new ContainerSdkException(Codes.BlobDigestMismatch,
                $"Image '{Files.ItemSpec}': blob {descriptor.Digest} does not have that digest; the image is damaged.");
        return content;
    }

    private ImageIndex ParseIndex(byte[] json, string relative)
    {
        try { return ImageIndex.Parse(json); }
        catch (FormatException e) { throw Files.Invalid($"{relative}: {e.Message}"); }
    }
}
