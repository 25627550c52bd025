using ContainerSdk.Core.Tar;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Layers;

/// <summary>One entry a layer will hold: its final header and where its bytes come from.</summary>
internal sealed class PlannedEntry(TarHeader header, ContentSource content)
{
    private NameKey? _directoryKey;

    public TarHeader Header { get; } = header;
    public ContentSource Content { get; set; } = content;

    /// <summary>lstat of the file the content comes from, when it is a file on disk: the stat cache's key.</summary>
    public FileIdentity? Identity { get; set; }

    /// <summary>SHA-256 of the content (regular files with data), once known: from the stat cache, the tarball's identity, or hashing while the layer is written.</summary>
    public byte[]? ContentHash { get; set; }

    public bool HasData => Header.Type == TarEntryType.Regular && Header.Size > 0;

    /// <summary>The sort and lookup key: the image path without leading '/' or trailing '/'.</summary>
    /// <remarks>A directory's key is kept while its name stays the same: plans look keys up and compare them often.</remarks>
    public string Key
    {
        get
        {
            string name = Header.Name;
            if (name.Length == 0 || name[^1] != '/') return name; // TarPath.Key of a name without a trailing '/' is the name itself
            var known = _directoryKey;
            if (known is not null && ReferenceEquals(known.Name, name)) return known.Key;
            known = new NameKey(name, TarPath.Key(name));
            _directoryKey = known;
            return known.Key;
        }
    }

    public override string ToString() => Header.ToString();

    private sealed record NameKey(string Name, string Key);
}
