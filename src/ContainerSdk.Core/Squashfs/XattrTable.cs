using System.Buffers.Binary;
using System.Text;

namespace ContainerSdk.Core.Squashfs;

/// <summary>
/// The extended attributes: each distinct set (name-sorted, so the same attributes in another order are the same set) is
/// stored once and inodes name it by index. A key holds its namespace as a number (0 user., 1 trusted., 2 security.) and
/// the rest of its name; values are stored inline.
/// </summary>
internal sealed class XattrTable
{
    private static readonly (string Prefix, ushort Type)[] Namespaces = { ("user.", 0), ("trusted.", 1), ("security.", 2) };

    private readonly Dictionary<string, uint> _ids = new(StringComparer.Ordinal);
    private readonly List<(byte[] Pairs, int Count, int Size)> _sets = new();

    public int Count => _sets.Count;

    /// <summary>The set's index, or <see cref="Inode.NoXattr"/> when no attribute of it can be stored.</summary>
    public uint Add(IReadOnlyList<KeyValuePair<string, byte[]>>? xattrs)
    {
        if (xattrs is null || xattrs.Count == 0) return Inode.NoXattr;
        using var pairs = new MemoryStream();
        int count = 0, size = 0;
        Span<byte> number = stackalloc byte[4];
        foreach (var (name, value) in xattrs.OrderBy(x => x.Key, StringComparer.Ordinal))
        {
            var space = Namespaces.FirstOrDefault(n => name.StartsWith(n.Prefix, StringComparison.Ordinal) && name.Length > n.Prefix.Length);
            if (space.Prefix is null) continue;
            byte[] key = Encoding.UTF8.GetBytes(name[space.Prefix.Length..]);
            BinaryPrimitives.WriteUInt16LittleEndian(number, space.Type);
            pairs.Write(number[..2]);
            BinaryPrimitives.WriteUInt16LittleEndian(number, (ushort)key.Length);
            pairs.Write(number[..2]);
            pairs.Write(key);
            BinaryPrimitives.WriteUInt32LittleEndian(number, (uint)value.Length);
            pairs.Write(number);
            pairs.Write(value);
            count++;
            size += Encoding.UTF8.GetByteCount(name) + value.Length;
        }
        if (count == 0) return Inode.NoXattr;
        var bytes = pairs.ToArray();
        string identity = Convert.ToBase64String(bytes);
        if (_ids.TryGetValue(identity, out var id)) return id;
        id = (uint)_sets.Count;
        _sets.Add((bytes, count, size));
        _ids.Add(identity, id);
        return id;
    }

    /// <summary>
    /// Writes the pairs, the id table (reference, count, size per set) and its header (the pairs' start, the number of
    /// sets, the id blocks' positions) at the output's position; returns where the header is, for the superblock.
    /// </summary>
    public long WriteTo(Stream output, BlockCompressor compressor)
    {
        var pairs = new MetadataWriter(compressor);
        var references = new List<ulong>(_sets.Count);
        foreach (var (bytes, _, _) in _sets)
        {
            references.Add(pairs.Reference);
            pairs.Write(bytes);
        }
        long pairsStart = output.Position;
        pairs.Finish().CopyTo(output);

        var ids = new MetadataWriter(compressor);
        for (int i = 0; i < _sets.Count; i++)
        {
            ids.WriteUInt64(references[i]);
            ids.WriteUInt32((uint)_sets[i].Count);
            ids.WriteUInt32((uint)_sets[i].Size);
        }
        long idsStart = output.Position;
        var idBlocks = ids.Finish();
        idBlocks.CopyTo(output);

        long header = output.Position;
        var buffer = new byte[16 + 8 * ids.BlockStarts.Count];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, (ulong)pairsStart);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(8), (uint)_sets.Count);
        for (int i = 0; i < ids.BlockStarts.Count; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(16 + 8 * i), (ulong)(idsStart + ids.BlockStarts[i]));
        output.Write(buffer);
        return header;
    }
}
