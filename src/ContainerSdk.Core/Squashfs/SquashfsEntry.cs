namespace ContainerSdk.Core.Squashfs;

/// <summary>What an entry of the image is. A hard link names an earlier entry (<see cref="SquashfsEntry.LinkTarget"/>) whose inode it shares.</summary>
internal enum SquashfsEntryType
{
    File,
    Directory,
    SymbolicLink,
    HardLink,
    CharacterDevice,
    BlockDevice,
    Fifo,
    Socket,
}

/// <summary>
/// One entry of the tree an image holds, as a flattened root filesystem lists it. Paths are relative to the image's root,
/// '/'-separated, without a leading '/' (a trailing '/' is ignored); "" is the root folder itself, which may be given
/// (first) to set its owner, mode and time.
/// </summary>
/// <param name="Path">Where the entry is; its parent folders come before it (a missing one is made with mode 0755, owned by root).</param>
/// <param name="Type">What it is.</param>
internal sealed record SquashfsEntry(string Path, SquashfsEntryType Type)
{
    /// <summary>Permission bits with setuid (04000), setgid (02000) and sticky (01000); never the file type bits.</summary>
    public int Mode { get; init; } = 0x1A4; // 0644

    public long Uid { get; init; }
    public long Gid { get; init; }

    /// <summary>Seconds since the Unix epoch (the caller clamps it to the build's one timestamp); 0 to 2^32-1.</summary>
    public long ModificationTime { get; init; }

    /// <summary>A regular file's length: exactly the bytes <see cref="OpenContent"/> must give.</summary>
    public long Size { get; init; }

    /// <summary>A symbolic link's target (as written) or the path of the entry a hard link shares its inode with.</summary>
    public string LinkTarget { get; init; } = "";

    public int DeviceMajor { get; init; }
    public int DeviceMinor { get; init; }

    /// <summary>
    /// Extended attributes by full name ("user.x", "security.capability"). Only the user., trusted. and security.
    /// namespaces exist in SquashFS; any other (system.posix_acl_*) is not stored: the caller narrows ACLs to modes first.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>>? Xattrs { get; init; }

    /// <summary>Opens a regular file's content when the writer reaches it (once, read to <see cref="Size"/>, then disposed).</summary>
    public Func<Stream>? OpenContent { get; init; }

    /// <summary>
    /// A digest of the file's content, when the caller knows it (the plans' SHA-256): a later file with the same digest and
    /// size shares the first one's blocks, and its content is not read.
    /// </summary>
    public byte[]? ContentHash { get; init; }
}
