using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Squashfs;

/// <summary>
/// The uid/gid table: an inode stores 16-bit indexes into one list of 32-bit ids (owners and groups together), in the
/// order they were first met (so the same tree gives the same table).
/// </summary>
internal sealed class IdTable
{
    private readonly Dictionary<uint, ushort> _indexes = new();
    private readonly List<uint> _ids = new();

    public int Count => _ids.Count;

    public ushort IndexOf(long id, string path)
    {
        if (id < 0 || id > uint.MaxValue)
            throw new ContainerSdkException(Codes.SquashfsLimitExceeded, $"'{path}' has owner or group id {id}, outside SquashFS's 0 to {uint.MaxValue}.");
        if (_indexes.TryGetValue((uint)id, out var index)) return index;
        if (_ids.Count > ushort.MaxValue)
            throw new ContainerSdkException(Codes.SquashfsLimitExceeded, $"'{path}' brings the tree's 65537th distinct owner or group id; SquashFS holds at most 65536.");
        index = (ushort)_ids.Count;
        _indexes.Add((uint)id, index);
        _ids.Add((uint)id);
        return index;
    }

    public void WriteTo(MetadataWriter table)
    {
        foreach (var id in _ids) table.WriteUInt32(id);
    }
}
