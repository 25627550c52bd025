using ContainerSdk.Core.IO;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Oci;

/// <summary>
/// An oci-archive: the image layout as one tar (what `skopeo copy oci-archive:` and `podman load` read), entries in
/// name order, blobs byte for byte as in the layout. Unlike the layout (whose ref names are bare tags, as
/// `oci:DIR:TAG` wants), each tag is named in full, <c>repository:tag</c>: `podman load` names the loaded image by
/// it (a bare tag would become the image's name). podman load takes an oci-archive of one image name only; with
/// several tags, use `skopeo copy oci-archive:FILE:repository:tag` or the docker format.
/// </summary>
public static class OciArchiveWriter
{
    public static void Write(string layoutPath, string archivePath, string repository, long epoch)
    {
        var layout = new ImageLayoutReader(layoutPath);
        var index = layout.Index with
        {
            Manifests = layout.Index.Manifests.Select(m => m.Annotations is { } a && a.TryGetValue(ImageIndex.RefNameAnnotation, out var tag) && !tag.Contains(':')
                ? m with { Annotations = new SortedDictionary<string, string>(a.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal) { [ImageIndex.RefNameAnnotation] = $"{repository}:{tag}" } }
                : m).ToArray(),
        };
        using var temp = new TempFile(archivePath);
        using (var output = new FileStream(temp.Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        using (var tar = new TarWriter(output, leaveOpen: true))
        {
            var archive = new ArchiveTar(tar, epoch);
            archive.Folder("blobs");
            archive.Folder("blobs/sha256");
            foreach (var blob in layout.ReachableBlobs())
                archive.FileFrom($"blobs/sha256/{blob.Digest.Hex}", layout.BlobPath(blob.Digest));
            archive.File("index.json", index.ToJson());
            archive.File("oci-layout", File.ReadAllBytes(Path.Combine(layout.LayoutPath, "oci-layout")));
            tar.Finish();
            output.Flush(flushToDisk: true);
        }
        temp.Commit();
    }
}
