using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Images;

/// <summary>One layer of an image: its blob as the manifest describes it (an OCI media type), the digest of the tar it inflates to (its diff_id), and the history text that made it.</summary>
internal sealed record ImageLayer(Descriptor Descriptor, Digest DiffId, string? CreatedBy);

/// <summary>
/// One image, wherever it is: the engine's single model of an image. Every source yields it (a layout folder, an
/// archive, a registry: <see cref="IImageSource"/>) and every writer takes it (<c>Outputs.BuiltImage</c>, which a build
/// composes or reads back from its layout). Its documents are bytes as stored, so that a writer writes them as they
/// are and their digests stay; its layer blobs are opened or located one at a time, never read whole.
/// </summary>
internal interface IImage
{
    /// <summary>The manifest's media type, digest and size; null when the image has no manifest blob (a docker-archive's manifest.json is not one).</summary>
    Descriptor? ManifestDescriptor { get; }

    /// <summary>The manifest as stored; null with <see cref="ManifestDescriptor"/>.</summary>
    byte[]? ManifestJson { get; }

    /// <summary>The config as stored.</summary>
    byte[] ConfigJson { get; }

    /// <summary>The config, parsed from <see cref="ConfigJson"/>.</summary>
    ImageConfig Config { get; }

    /// <summary>Bottom first, paired with the config's diff_ids by position.</summary>
    IReadOnlyList<ImageLayer> Layers { get; }

    /// <summary>The layer's blob as a file of its own, to be used in place (linked, not copied), or null: read it through <see cref="OpenBlob"/>.</summary>
    string? BlobFile(int layer);

    Stream OpenBlob(int layer);

    /// <summary>The manifest's digest, or null when there is no manifest blob.</summary>
    Digest? ManifestDigest => ManifestDescriptor?.Digest;
}
