namespace ContainerSdk.Core.Tar;

/// <summary>
/// One tar entry's metadata, independent of how it is encoded (ustar fields or PAX records).
/// Paths are relative to the layer root, '/'-separated, with no leading "/" or "./";
/// directory names end with '/', as GNU tar and most image tools write them.
/// </summary>
internal sealed class TarHeader
{
    public string Name { get; set; } = "";
    public TarEntryType Type { get; set; } = TarEntryType.Regular;

    /// <summary>Permission bits including setuid (04000), setgid (02000) and sticky (01000); never the file type bits.</summary>
    public int Mode { get; set; } = 0x1A4; // 0644

    public long Uid { get; set; }
    public long Gid { get; set; }

    /// <summary>Owner names; the engine writes them empty so that extraction uses the numeric ids.</summary>
    public string UserName { get; set; } = "";
    public string GroupName { get; set; } = "";

    /// <summary>Content length for regular files; 0 for every other type.</summary>
    public long Size { get; set; }

    /// <summary>Seconds since the Unix epoch.</summary>
    public long ModificationTime { get; set; }

    /// <summary>Target of a symbolic link (as written) or of a hard link (a path in the same archive).</summary>
    public string LinkName { get; set; } = "";

    public int DeviceMajor { get; set; }
    public int DeviceMinor { get; set; }

    /// <summary>
    /// Extended records carried as they are: <c>SCHILY.xattr.*</c> (binary values) and <c>SCHILY.acl.*</c>.
    /// Records that map onto the fields above (path, size, uid...) are never kept here.
    /// Ordinal-sorted so that the writer emits them in one deterministic order. Made on first use: most entries
    /// have none, and a no-op build plans every path of every module.
    /// </summary>
    public SortedDictionary<string, byte[]> PaxRecords
    {
        get => _paxRecords ??= new(StringComparer.Ordinal);
        set => _paxRecords = value;
    }

    private SortedDictionary<string, byte[]>? _paxRecords;

    private static readonly SortedDictionary<string, byte[]> NoPaxRecords = new(StringComparer.Ordinal);

    /// <summary>The records to read (in the same order), without making the table when there is none.</summary>
    public IReadOnlyDictionary<string, byte[]> PaxRecordsRead => _paxRecords ?? NoPaxRecords;

    /// <summary>Whether there is any record, without making the table.</summary>
    public bool HasPaxRecords => _paxRecords is { Count: > 0 };

    public TarHeader Clone()
    {
        var copy = (TarHeader)MemberwiseClone();
        copy._paxRecords = _paxRecords is null ? null : new SortedDictionary<string, byte[]>(_paxRecords, StringComparer.Ordinal);
        return copy;
    }

    public override string ToString() => $"{(char)Type} {Name}";
}
