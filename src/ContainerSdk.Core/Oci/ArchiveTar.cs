using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Oci;

/// <summary>The entries of a single-file image: root-owned, one timestamp (the epoch), files 0644 and folders 0755.</summary>
internal sealed class ArchiveTar(TarWriter tar, long epoch)
{
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

    private void File(string name, Stream content, long size) =>
        tar.WriteEntry(new TarHeader { Name = name, Type = TarEntryType.Regular, Mode = 0x1A4, Size = size, ModificationTime = epoch }, content);
}
