namespace ContainerSdk.Core.Squashfs;

/// <summary>
/// One inode of the image as the writer holds it until the tables are written: every name of a hard-linked file shares
/// one, as the kernel then shows them (one inode number, nlink = the names).
/// </summary>
internal sealed class Inode
{
    public const uint NoXattr = 0xFFFFFFFF;

    public Inode(SquashfsEntryType type) => Type = type;

    /// <summary>Never <see cref="SquashfsEntryType.HardLink"/>: a link is a second name of its target's inode.</summary>
    public SquashfsEntryType Type { get; }

    public ushort Mode;
    public ushort UidIndex, GidIndex;
    public uint ModificationTime;
    public uint Xattr = NoXattr;

    /// <summary>Names of a non-folder (hard links add to it); a folder's comes from its subfolders.</summary>
    public uint Names = 1;

    public FileData? Data;
    public byte[]? LinkTarget;
    public uint Device;

    /// <summary>A folder's entries (sorted by name bytes before the tables are written) and its parent (null for the root).</summary>
    public List<DirectoryEntry>? Children;
    public Inode? Parent;

    /// <summary>A folder made because an entry's parent was missing; the folder's own entry, if it comes later, sets it.</summary>
    public bool Implicit;

    /// <summary>Set when the tables are written: the inode's number (1..count) and its reference in the inode table.</summary>
    public uint Number;
    public ulong Reference;

    /// <summary>The basic inode type (1 folder ... 7 socket), which directory entries carry whatever the inode's form.</summary>
    public ushort BasicType => Type switch
    {
        SquashfsEntryType.Directory => 1,
        SquashfsEntryType.File => 2,
        SquashfsEntryType.SymbolicLink => 3,
        SquashfsEntryType.BlockDevice => 4,
        SquashfsEntryType.CharacterDevice => 5,
        SquashfsEntryType.Fifo => 6,
        SquashfsEntryType.Socket => 7,
        _ => throw new InvalidOperationException($"no inode type for {Type}"),
    };
}

/// <summary>A name in a folder and the inode it names.</summary>
internal sealed record DirectoryEntry(byte[] Name, Inode Inode);

/// <summary>
/// Where a regular file's bytes are in the image: its full blocks (size words, 0 for a block of zeros that is not stored)
/// from <see cref="Start"/>, and its tail in a fragment block. Identical files share one.
/// </summary>
internal sealed class FileData
{
    public const uint NoFragment = 0xFFFFFFFF;

    public FileData(long size, int blocks)
    {
        Size = size;
        Blocks = new uint[blocks];
    }

    public long Size { get; }
    public uint[] Blocks { get; }
    public long Start;
    public bool Started;
    public uint Fragment = NoFragment;
    public uint FragmentOffset;

    /// <summary>Bytes in blocks of zeros that were not stored (the extended inode's "sparse").</summary>
    public long Sparse;
}
