using ContainerSdk.Core.Tar;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Layers;

/// <summary>One entry a layer will hold: its final header and where its bytes come from.</summary>
public sealed class PlannedEntry(TarHeader header, ContentSource content)
{
    public TarHeader Header { get; } = header;
    public ContentSource Content { get; set; } = content;

    /// <summary>lstat of the file the content comes from, when it is a file on disk: the stat cache's key.</summary>
    public FileIdentity? Identity { get; set; }

    /// <summary>SHA-256 of the content (regular files with data), once known: from the stat cache, the tarball's identity, or hashing while the layer is written.</summary>
    public byte[]? ContentHash { get; set; }

    public bool HasData => Header.Type == TarEntryType.Regular && Header.Size > 0;

    /// <summary>The sort and lookup key: the image path without leading '/' or trailing '/'.</summary>
    public string Key => TarPath.Key(Header.Name);

    public override string ToString() => Header.ToString();
}
