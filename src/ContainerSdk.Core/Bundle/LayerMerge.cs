using ContainerSdk.Core.Build;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// Flattens a layer stack the way an extractor applying them in order would, in one streaming pass: every
/// layer is sorted in <see cref="TarPath.Comparer"/> order, so a k-way merge meets each path once, with a
/// whiteout or opaque marker always before what it deletes. Memory holds the active deletions (a path
/// and its ancestors) and never any content.
/// </summary>
public sealed class LayerMerge : IDisposable
{
    private readonly IReadOnlyList<BuiltLayer> _layers;
    private readonly Cursor[] _cursors;
    private readonly List<Deletion> _deletions = new();

    // Regular files that a higher layer replaced or deleted, by (layer, path): a hard link in the same
    // layer that still survives must then carry the content itself. Overrides are rare, so this stays small.
    private readonly HashSet<(int Layer, string Key)> _lost = new();
    private readonly Dictionary<(int Layer, string Key), string> _orphanAnchors = new();

    public LayerMerge(IReadOnlyList<BuiltLayer> layers)
    {
        _layers = layers;
        _cursors = layers.Select((l, i) => new Cursor(i, OpenLayer(l))).ToArray();
    }

    /// <summary>Calls <paramref name="emit"/> for every entry of the flattened tree, in order, with its content.</summary>
    public void Run(Action<TarHeader, Stream?> emit)
    {
        foreach (var c in _cursors) c.Advance();
        while (true)
        {
            string? key = null;
            foreach (var c in _cursors)
                if (c.Header is not null && (key is null || TarPath.Comparer.Compare(c.Key, key) < 0)) key = c.Key;
            if (key is null) return;

            var group = _cursors.Where(c => c.Header is not null && TarPath.Comparer.Compare(c.Key, key) == 0).ToList();
            _deletions.RemoveAll(d => !(key == d.Key || TarPath.IsUnder(key, d.Key)));

            if (TarPath.IsWhiteout(key)) RecordWhiteout(key, group.Max(c => c.Layer));
            else Resolve(key, group, emit);

            foreach (var c in group) c.Advance();
        }
    }

    private void RecordWhiteout(string key, int layer)
    {
        string parent = TarPath.Parent(key)!;
        string name = TarPath.BaseName(key);
        _deletions.Add(name == TarPath.OpaqueWhiteout
            ? new Deletion(parent, IncludesSelf: false, BelowLayer: layer)
            : new Deletion(TarPath.Join(parent, name[TarPath.WhiteoutPrefix.Length..]), IncludesSelf: true, BelowLayer: layer));
    }

    private void Resolve(string key, List<Cursor> group, Action<TarHeader, Stream?> emit)
    {
        var alive = group.Where(c => !IsDeleted(key, c.Layer)).ToList();
        var winner = alive.Count == 0 ? null : alive.MaxBy(c => c.Layer)!;
        foreach (var c in group)
            if (!ReferenceEquals(c, winner) && c.Header!.Type == TarEntryType.Regular) _lost.Add((c.Layer, key));
        if (winner is null) return;

        var header = winner.Header!;
        if (header.Type == TarEntryType.HardLink && _lost.Contains((winner.Layer, TarPath.Key(header.LinkName))))
            EmitOrphanedLink(key, winner, emit);
        else if (header.Type == TarEntryType.HardLink && _orphanAnchors.TryGetValue((winner.Layer, TarPath.Key(header.LinkName)), out var anchor))
            emit(WithLink(header, anchor), null);
        else
            emit(header, header.Type == TarEntryType.Regular ? winner.Reader.Content : null);

        // A file (or link) replacing a directory hides what the layers below had inside it.
        if (header.Type != TarEntryType.Directory) _deletions.Add(new Deletion(key, IncludesSelf: false, BelowLayer: winner.Layer));
    }

    private bool IsDeleted(string key, int layer) =>
        _deletions.Any(d => layer < d.BelowLayer && (d.IncludesSelf ? key == d.Key || TarPath.IsUnder(key, d.Key) : TarPath.IsUnder(key, d.Key)));

    /// <summary>
    /// The link's target was replaced by a higher layer, yet the link survives: it becomes a regular file
    /// with the target's original content (read again from its layer), and later links to the same target
    /// point at it instead.
    /// </summary>
    private void EmitOrphanedLink(string key, Cursor winner, Action<TarHeader, Stream?> emit)
    {
        string target = TarPath.Key(winner.Header!.LinkName);
        using var reader = new TarReader(OpenLayer(_layers[winner.Layer]), _layers[winner.Layer].ItemSpec, leaveOpen: false);
        while (reader.Next() is { } original)
        {
            if (TarPath.Key(original.Name) != target || original.Type != TarEntryType.Regular) continue;
            var header = winner.Header!.Clone();
            header.Type = TarEntryType.Regular;
            header.LinkName = "";
            header.Size = original.Size;
            emit(header, reader.Content);
            _orphanAnchors[(winner.Layer, target)] = key;
            return;
        }
        throw new InvalidDataException($"Layer '{_layers[winner.Layer].ItemSpec}' has a hard link '{key}' to '{target}', which it does not contain.");
    }

    private static TarHeader WithLink(TarHeader header, string linkKey)
    {
        var copy = header.Clone();
        copy.LinkName = linkKey;
        return copy;
    }

    private static Stream OpenLayer(BuiltLayer layer)
    {
        // A base image's layer is merged from its sorted copy: the blob's own order is its tool's.
        if (layer.FromImage is { } origin)
            return new FileStream(origin.SortedTarPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var file = new FileStream(layer.BlobPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        string mediaType = layer.Descriptor.MediaType;
        var compression = mediaType.EndsWith("gzip", StringComparison.Ordinal) ? StreamCompression.Gzip
            : mediaType.EndsWith("zstd", StringComparison.Ordinal) ? StreamCompression.Zstd
            : StreamCompression.None;
        return InputFormat.Decompress(file, compression, layer.ItemSpec);
    }

    public void Dispose()
    {
        foreach (var c in _cursors) c.Reader.Dispose();
    }

    /// <summary>Paths that layers below <see cref="BelowLayer"/> lose: <see cref="Key"/>'s subtree, and the key itself when <see cref="IncludesSelf"/>.</summary>
    private readonly record struct Deletion(string Key, bool IncludesSelf, int BelowLayer);

    private sealed class Cursor(int layer, Stream stream)
    {
        public int Layer { get; } = layer;
        public TarReader Reader { get; } = new(stream, $"layer {layer + 1}", leaveOpen: false);
        public TarHeader? Header { get; private set; }
        public string Key { get; private set; } = "";

        public void Advance()
        {
            Header = Reader.Next();
            Key = Header is null ? "" : TarPath.Key(Header.Name);
        }
    }
}
