using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Outputs;

/// <summary>
/// A kind of place a built image goes (the OCI layout, an oci-archive, a docker-archive, a registry). A new kind
/// is a class of this interface plus one line in the composition root, <c>Engine.Composition</c>.
/// </summary>
internal interface IImageWriter
{
    /// <summary>The names that select this writer (ContainerArchiveFormat values); the first is how messages name it.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>Writes <paramref name="image"/> to <paramref name="destination"/> (a path, or an address for a remote writer) and says what it wrote.</summary>
    ImageWriteResult Write(BuiltImage image, string destination, ImageWriteContext context);
}

/// <summary>
/// What a writer wrote: the image's manifest and config digests (a registry's manifest is the local one: its bytes are
/// sent as they are; a docker-archive, which holds no manifest, still holds the image the manifest names), the tags it
/// carries there and where it went (a full path, or the registry address).
/// </summary>
internal sealed record ImageWriteResult(Oci.Digest ManifestDigest, Oci.Digest ConfigDigest, IReadOnlyList<string> Tags, string Destination)
{
    /// <summary>What a push sent, mounted and found already there (the registry writer), or null for a local writer.</summary>
    public Registry.PushResult? Pushed { get; init; }
}

/// <summary>What a writer may need besides the image: the one timestamp for its own entries, a work folder, the log.</summary>
internal sealed record ImageWriteContext(long Epoch, string WorkDirectory, IBuildLog Log)
{
    /// <summary>The layer cache's record of its blobs, for a writer that gives them another name (a hard link moves their ctime).</summary>
    public Cache.BlobStamps? BlobStamps { get; init; }
}
