using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Registry;

/// <summary>An artifact manifest to push beside its subject (an SBOM, an ACL dump, a signature), and the blobs it names.</summary>
internal sealed record ReferrerArtifact(byte[] ManifestJson, IReadOnlyList<PushBlob> Blobs)
{
    public Manifest Manifest { get; } = Manifest.Parse(ManifestJson);

    /// <summary>How a referrers list names it: its digest, artifactType and annotations.</summary>
    public Descriptor Descriptor => ArtifactManifest.DescriptorOf(Manifest, ManifestJson);
}

/// <summary>
/// Pushes artifacts whose <c>subject</c> is a manifest the repository holds (OCI distribution spec 1.1): each artifact's
/// blobs, then its manifest by digest (no tag); then, unless the registry lists referrers itself (its referrers API
/// answers), the referrers tag schema: the index tagged <c>sha256-&lt;hex&gt;</c> of the subject gains the new artifacts
/// (read, add what it lacks, write), as cosign, notation and ORAS keep it on registries without the API. Two
/// publishes of one subject at once may each write the index without the other's entry; publishing again repairs it.
/// </summary>
internal sealed class ReferrerPusher(RegistryOptions options, IBuildLog log)
{
    /// <summary>What the push left the registry with: whether it has the referrers API, and the fallback index when it has not.</summary>
    public sealed record Result(bool RegistryListsReferrers, ImageIndex? FallbackIndex);

    public async Task<Result> PushAsync(string registry, string repository, Descriptor subject, IReadOnlyList<ReferrerArtifact> artifacts, CancellationToken cancel = default)
    {
        var pusher = new ImagePusher(options, log);
        foreach (var artifact in artifacts)
        {
            if (artifact.Manifest.Subject?.Digest != subject.Digest)
                throw new ArgumentException($"The artifact {artifact.Descriptor.Digest} is not about {subject.Digest}.", nameof(artifacts));
            await pusher.PushAsync(registry, repository, Array.Empty<string>(), artifact.ManifestJson, MediaTypes.ImageManifest, artifact.Blobs, cancel);
        }
        using var client = new RegistryClient(registry, options, log);
        if (await client.ReferrersAsync(repository, subject.Digest, cancel) is not null)
        {
            log.Info($"  {registry}/{repository}: the registry lists the referrers of {subject.Digest} itself (referrers API)");
            return new Result(true, null);
        }
        var index = await UpdateFallbackAsync(client, repository, subject.Digest, artifacts.Select(a => a.Descriptor).ToArray(), cancel);
        return new Result(false, index);
    }

    /// <summary>The referrers tag schema's read-modify-write: the tag's index, with every artifact it lacks added in order.</summary>
    private async Task<ImageIndex> UpdateFallbackAsync(RegistryClient client, string repository, Digest subject, IReadOnlyList<Descriptor> added, CancellationToken cancel)
    {
        var tag = ArtifactManifest.FallbackTag(subject);
        ImageIndex? existing = null;
        try
        {
            var document = await client.GetManifestAsync(repository, tag, cancel);
            // Another tool's tag of that name that is no index is not ours to keep: the schema defines the tag as an index.
            if (document.IsIndex) existing = ImageIndex.Parse(document.Json);
        }
        catch (ContainerSdkException e) when (e.Code == Codes.RegistryNotFound) { }
        var manifests = (existing?.Manifests ?? Array.Empty<Descriptor>()).ToList();
        var missing = added.Where(d => manifests.All(m => m.Digest != d.Digest)).ToList();
        if (existing is not null && missing.Count == 0)
        {
            log.Info($"  {client.Registry}/{repository}:{tag}: lists every artifact already");
            return existing;
        }
        manifests.AddRange(missing);
        var index = new ImageIndex { Manifests = manifests, Annotations = existing?.Annotations };
        await client.PutManifestAsync(repository, tag, index.ToJson(), MediaTypes.ImageIndex, cancel);
        log.Info($"  {client.Registry}/{repository}:{tag}: referrers index written ({manifests.Count} artifacts, {missing.Count} new)");
        return index;
    }
}
