using ContainerSdk.Core.IO;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Outputs;

/// <summary>The entries of a single-file image: root-owned, one timestamp (the epoch), files 0644 and folders 0755.</summary>
internal sealed class ArchiveTar(TarWriter tar, long epoch)
{
    /// <summary>
    /// Writes a single-file image at <paramref name="path"/> through a temporary file: the blobs/sha256 folders, then
    /// what <paramref name="fill"/> adds (in name order), then the end of the archive, flushed to disk before the rename.
    /// </summary>
    public static void Write(string path, long epoch, Action<ArchiveTar> fill)
    {
        using var temp = new TempFile(path);
        using (var output = temp.Create())
        using (var tar = new TarWriter(output, leaveOpen: true))
        {
            var archive = new ArchiveTar(tar, epoch);
            archive.Folder("blobs");
            archive.Folder("blobs/sha256");
            fill(archive);
            tar.Finish();
            output.Flush(flushToDisk: true);
        }
        temp.Commit();
    }

    public void Folder(string name) =>
        tar.WriteEntry(new TarHeader { Name = name.TrimEnd('/') + "/", Type = TarEntryType.Directory, Mode = 0x1ED, ModificationTime = epoch });

    public void File(string name, byte[] content)
    {
        using var stream = new MemoryStream(content, writable: false);
        File(name, stream, content.Length);
    }

    public void FileFrom(string name, string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        File(name, stream, stream.Length);
    }

    /// <summary>A blob of the image, whether a file (a layer) or a document in memory.</summary>
    public void FileFrom(string name, BuiltImage image, Oci.Digest digest)
    {
        using var stream = image.OpenBlob(digest);
        File(name, stream, stream.Length);
    }

    private void File(string name, Stream content, long size) =>
        tar.WriteEntry(new TarHeader { Name = name, Type = TarEntryType.Regular, Mode = 0x1A4, Size = size, ModificationTime = epoch }, content);
}
