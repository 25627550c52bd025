using ContainerSdk.Core.Oci;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Outputs;

/// <summary>
/// An oci-archive: the image layout as one tar, written by the one layout writer (what `skopeo copy oci-archive:` and `podman load` read), entries in
/// name order, blobs byte for byte as in the layout. Unlike the layout (whose ref names are bare tags, as
/// `oci:DIR:TAG` wants), each tag is named in full, <c>repository:tag</c>: `podman load` names the loaded image by
/// it (a bare tag would become the image's name). podman load takes an oci-archive of one image name only; with
/// several tags, use `skopeo copy oci-archive:FILE:repository:tag` or the docker format.
/// </summary>
internal sealed class OciArchiveWriter : IImageWriter
{
    public IReadOnlyList<string> Names { get; } = new[] { "oci-archive", "oci" };

    public ImageWriteResult Write(BuiltImage image, string archivePath, ImageWriteContext context)
    {
        var index = image.Index with
        {
            Manifests = image.Index.Manifests.Select(m => m.Annotations is { } a && a.TryGetValue(ImageIndex.RefNameAnnotation, out var tag) && !tag.Contains(':')
                ? m with { Annotations = new SortedDictionary<string, string>(a.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal) { [ImageIndex.RefNameAnnotation] = $"{image.Repository}:{tag}" } }
                : m).ToArray(),
        };
        ArchiveTar.Write(archivePath, context.Epoch, archive => OciLayoutWriter.Write(image, index, new ArchiveTarget(archive)));
        return new ImageWriteResult(image.ManifestDescriptor.Digest, image.Manifest.Config.Digest, image.Tags, archivePath);
    }

    /// <summary>The layout's files as tar entries, in name order: blobs/sha256/… (the writer adds them in digest order), index.json, oci-layout.</summary>
    private sealed class ArchiveTarget(ArchiveTar archive) : IOciLayoutTarget
    {
        public void AddBlob(BuiltImage image, Descriptor blob) => archive.FileFrom($"blobs/sha256/{blob.Digest.Hex}", image, blob.Digest);

        public void Complete(ImageIndex index)
        {
            archive.File("index.json", index.ToJson());
            archive.File("oci-layout", OciLayoutWriter.LayoutFileContent);
        }
    }
}
