using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Layers;

/// <summary>One entry a layer will hold: its final header and where its bytes come from.</summary>
public sealed class PlannedEntry(TarHeader header, ContentSource content)
{
    public TarHeader Header { get; } = header;
    public ContentSource Content { get; set; } = content;

    /// <summary>The sort and lookup key: the image path without leading '/' or trailing '/'.</summary>
    public string Key => TarPath.Key(Header.Name);

    public override string ToString() => Header.ToString();
}
