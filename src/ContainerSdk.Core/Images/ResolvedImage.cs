using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Images;

/// <summary>One layer of an image used as a base: its blob as the image stores it, and its history text.</summary>
internal sealed record ResolvedLayer(Descriptor Descriptor, Digest DiffId, string BlobName, string? CreatedBy);

/// <summary>
/// The one image a base item selects (tag and platform applied): its config as stored, and its layers bottom first.
/// <see cref="ManifestDigest"/> is null for a docker-archive, which has no manifest blob.
/// </summary>
internal sealed record ResolvedImage(ImageFiles Files, byte[] ConfigJson, ImageConfig Config, Digest? ManifestDigest, string? Name,
    IReadOnlyList<ResolvedLayer> Layers);
