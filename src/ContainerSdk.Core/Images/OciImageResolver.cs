using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Images;

/// <summary>
/// Picks one image out of an OCI layout (a folder or an oci-archive): by tag (<c>Reference</c>) from index.json,
/// then, through as many nested indexes as there are, by platform. The layout itself is read by <see cref="OciLayoutReader"/>.
/// </summary>
internal static class OciImageResolver
{
    public static ResolvedImage Resolve(ImageFiles files, string? reference, Platform platform)
    {
        var layout = new OciLayoutReader(files);
        var index = layout.ReadIndex();
        // Artifacts about an image (an SBOM, a signature: OCI 1.1 referrers, listed untagged) are not images to build on.
        var candidates = index.Manifests.Where(m => m.ArtifactType is null).ToList();
        string? name = null;
        if (!string.IsNullOrWhiteSpace(reference))
        {
            candidates = candidates.Where(m => RefName(m) == reference || ContainerdName(m) == reference).ToList();
            if (candidates.Count == 0)
                throw new ContainerSdkException(Codes.ImageReferenceNotFound,
                    $"Image '{files.ItemSpec}' has no image tagged '{reference}'; its tags: {DescribeTags(index)}.");
            name = ContainerdName(candidates[0]) ?? reference;
        }
        else
        {
            var tagged = candidates.Select(RefName).Where(r => r is not null).Distinct().ToList();
            if (tagged.Count > 1 && candidates.Select(m => m.Digest).Distinct().Count() > 1 && candidates.All(m => m.Platform is null))
                throw new ContainerSdkException(Codes.ImageReferenceNotFound,
                    $"Image '{files.ItemSpec}' holds several images ({DescribeTags(index)}): set the BaseLayer's Reference metadata to the tag to use.");
            name = candidates.Select(ContainerdName).FirstOrDefault(n => n is not null) ?? candidates.Select(RefName).FirstOrDefault(n => n is not null);
        }

        var chosen = Choose(layout, candidates, platform, OciLayoutReader.IndexName);
        return layout.ReadImage(chosen, name);
    }

    /// <summary>Follows indexes down to one manifest, by platform where there is a choice.</summary>
    private static Descriptor Choose(OciLayoutReader layout, IReadOnlyList<Descriptor> candidates, Platform platform, string where)
    {
        var files = layout.Files;
        for (int depth = 0; depth < 8; depth++)
        {
            Descriptor chosen;
            var distinct = candidates.DistinctBy(c => c.Digest).ToList();
            if (distinct.Count == 0) throw files.Invalid($"{where} lists no manifests");
            if (distinct.Count == 1) chosen = distinct[0];
            else if (distinct.All(c => c.Platform is null))
                throw new ContainerSdkException(Codes.ImageReferenceNotFound,
                    $"Image '{files.ItemSpec}' holds {distinct.Count} images and nothing tells them apart: set the BaseLayer's Reference metadata to the tag to use.");
            else
            {
                chosen = PlatformMatch.Best(distinct, platform)
                    ?? throw new ContainerSdkException(Codes.ImagePlatformNotFound,
                        $"Image '{files.ItemSpec}' has no image for platform {platform} (ContainerPlatform); it has: {PlatformMatch.Describe(distinct)}.");
            }

            if (chosen.MediaType is MediaTypes.ImageIndex or MediaTypes.DockerManifestList)
            {
                var nested = layout.ReadIndex(chosen);
                candidates = nested.Manifests.Where(m => m.MediaType is MediaTypes.ImageIndex or MediaTypes.DockerManifestList or MediaTypes.ImageManifest or MediaTypes.DockerManifest).ToList();
                where = $"index {chosen.Digest}";
                continue;
            }
            if (chosen.MediaType is not (MediaTypes.ImageManifest or MediaTypes.DockerManifest))
                throw new ContainerSdkException(Codes.UnsupportedInputFormat, $"Image '{files.ItemSpec}': {where} points at a '{chosen.MediaType}', not an image manifest.");
            return chosen;
        }
        throw files.Invalid("its indexes nest more than 8 deep");
    }

    private static string? RefName(Descriptor d) => d.Annotations is { } a && a.TryGetValue(ImageIndex.RefNameAnnotation, out var v) ? v : null;
    private static string? ContainerdName(Descriptor d) => d.Annotations is { } a && a.TryGetValue(Annotations.ContainerdName, out var v) ? v : null;

    private static string DescribeTags(ImageIndex index)
    {
        var tags = index.Manifests.Select(RefName).Where(t => t is not null).Distinct().ToList();
        return tags.Count == 0 ? "none" : string.Join(", ", tags);
    }
}
