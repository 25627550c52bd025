using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Images;

/// <summary>
/// A kind of place a base image comes from (an OCI layout folder, an image archive, a registry). A new kind is a
/// class of this interface plus one line in the composition root, <c>Engine.Composition</c>; nothing else in the engine names kinds.
/// </summary>
internal interface IImageSourceKind
{
    /// <summary>For messages: "oci-layout", "image archive".</summary>
    string Name { get; }

    /// <summary>
    /// Whether this kind reads what <paramref name="location"/> names: a full path, or an address with a scheme
    /// (<c>docker://host/repo:tag</c>) as <see cref="Oci.ImageAddress"/> keeps it. Cheap: a look at a folder or at a
    /// file's first bytes, never the network (it runs for every item on every build).
    /// </summary>
    bool Recognizes(string location, string itemSpec);

    /// <summary>
    /// A key that names exactly the image <paramref name="request"/> resolves to, found without opening it (an
    /// archive's content hash), under which its resolution is kept between builds; null to open the source every build.
    /// </summary>
    string? ResolutionKey(ImageRequest request, Func<string, byte[]> hashFile);

    /// <summary>Picks the one image the request names (tag, then platform) and reads its documents, digest-checked.</summary>
    IImageSource Open(ImageRequest request);

    /// <summary>
    /// For a kind whose images live in a registry: the image's documents only (manifest and config), its layers left
    /// there, and the repository ("host[:port]/name") that holds them; null for a kind whose blobs are local.
    /// </summary>
    RemoteImage? OpenDocuments(ImageRequest request) => null;

    /// <summary>Its images live in a registry (<see cref="OpenDocuments"/> answers): their layers' indexes are worth sharing.</summary>
    bool IsRemote => false;
}

/// <summary>An image whose layer blobs were left in <paramref name="Repository"/> ("host[:port]/name"): its blobs must not be opened.</summary>
internal sealed record RemoteImage(IImageSource Image, string Repository);

/// <summary>What a base item asks of its source: which image (tag, platform), and where the source may spool.</summary>
internal sealed record ImageRequest(string Location, string ItemSpec, string? Reference, Platform Platform, string SpoolDirectory);

/// <summary>
/// The one image a base item selects out of its source (tag, then platform), with the name the source gives it. A
/// blob's size is checked on open; its digest by whoever reads it through (the engine copies it out hashing on the
/// way, or hashes a file in place).
/// </summary>
internal interface IImageSource : IImage, IDisposable
{
    /// <summary>The image's name, when the source gives one (for the base.name annotation).</summary>
    string? Name { get; }
}
