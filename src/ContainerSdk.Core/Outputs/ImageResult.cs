using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Outputs;

/// <summary>What writing the image produced: the manifest's address and the tags it carries.</summary>
internal sealed record ImageResult(Digest ManifestDigest, Digest ConfigDigest, IReadOnlyList<string> Tags, string LayoutPath);
