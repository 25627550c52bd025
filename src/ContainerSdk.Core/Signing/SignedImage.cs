using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Signing;

/// <summary>
/// A pushed manifest to sign: where it went and its digest. One signature per tag, since containers/image accepts a
/// signature only when its <c>docker-reference</c> is exactly the reference pulled (<c>matchRepoDigestOrExact</c>).
/// </summary>
/// <param name="Registry">"host[:port]", as the reference names it.</param>
/// <param name="Repository">The repository path, without the host.</param>
internal sealed record SignedImage(string Registry, string Repository, IReadOnlyList<string> Tags, Digest ManifestDigest)
{
    /// <summary>The references a puller names: "host/repo:tag" for each tag, or "host/repo@digest" when there is none.</summary>
    public IReadOnlyList<string> References =>
        Tags.Count == 0 ? new[] { $"{Registry}/{Repository}@{ManifestDigest}" } : Tags.Select(t => $"{Registry}/{Repository}:{t}").ToArray();
}
