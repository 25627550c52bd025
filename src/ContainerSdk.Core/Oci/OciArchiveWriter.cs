using ContainerSdk.Core.IO;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Oci;

/// <summary>
/// An oci-archive: the image layout as one tar (what `skopeo copy oci-archive:` and `podman load` read), entries in
/// name order, blobs byte for byte as in the layout.
/// </summary>
public static class OciArchiveWriter
{
    public static void Write(string layoutPath, string archivePath, long epoch)
    {
        var layout = new ImageLayoutReader(layoutPath);
        using var temp = new TempFile(archivePath);
        using (var output = new FileStream(temp.Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        using (var tar = new TarWriter(output, leaveOpen: true))
        {
            var archive = new ArchiveTar(tar, epoch);
            archive.Folder("blobs");
            archive.Folder("blobs/sha256");
            foreach (var blob in layout.ReachableBlobs())
                archive.FileFrom($"blobs/sha256/{blob.Digest.Hex}", layout.BlobPath(blob.Digest));
            archive.File("index.json", layout.IndexJson);
            archive.File("oci-layout", File.ReadAllBytes(Path.Combine(layout.LayoutPath, "oci-layout")));
            tar.Finish();
            output.Flush(flushToDisk: true);
        }
        temp.Commit();
    }
}
