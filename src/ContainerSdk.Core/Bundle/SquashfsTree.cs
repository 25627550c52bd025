using ContainerSdk.Core.Acl;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Squashfs;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// The flattened tree's entries as the SquashFS writer takes them: the bundle's tree (same paths, owners, modes, links,
/// devices, xattrs, every time the epoch), except that a path with an access ACL gets the owner, group and mode
/// <see cref="AclNarrowing"/> chooses, since SquashFS cannot store the ACL itself. The ACL xattrs are not passed on.
/// </summary>
internal static class SquashfsTree
{
    private const string XattrPrefix = "SCHILY.xattr.";

    public static SquashfsEntry ToEntry(PlannedEntry planned, long epoch, AclNarrowingReport report)
    {
        var header = planned.Header;
        string path = TarPath.Key(TarPath.Normalize(header.Name));
        var type = TypeOf(header, path);
        if (type == SquashfsEntryType.HardLink)
            // A hard link is the same inode as its target: it has the target's owner, group and mode, narrowed there.
            return new SquashfsEntry(path, type) { LinkTarget = TarPath.Key(TarPath.Normalize(header.LinkName)), ModificationTime = epoch };

        var mode = Narrow(header, path, report);
        var content = planned.Content;
        return new SquashfsEntry(path, type)
        {
            Mode = mode.Mode & 0xFFF,
            Uid = mode.Uid,
            Gid = mode.Gid,
            ModificationTime = epoch,
            Size = type == SquashfsEntryType.File ? header.Size : 0,
            LinkTarget = type == SquashfsEntryType.SymbolicLink ? header.LinkName : "",
            DeviceMajor = header.DeviceMajor,
            DeviceMinor = header.DeviceMinor,
            Xattrs = Xattrs(header),
            OpenContent = type == SquashfsEntryType.File && header.Size > 0 ? content.Open : null,
            ContentHash = planned.ContentHash,
        };
    }

    /// <summary>The owner, group and mode the image gives the path; a narrowed one is noted in <paramref name="report"/> as "/path".</summary>
    public static NarrowedMode Narrow(TarHeader header, string path, AclNarrowingReport report)
    {
        var access = header.HasPaxRecords ? AclPax.Read(header.PaxRecordsRead)?.Access : null;
        var mode = AclNarrowing.ModeFromAcl((uint)header.Uid, (uint)header.Gid, header.Mode & 0xFFF, header.Type == TarEntryType.Directory, access);
        return report.Note("/" + path, mode);
    }

    private static SquashfsEntryType TypeOf(TarHeader header, string path) => header.Type switch
    {
        TarEntryType.Regular => SquashfsEntryType.File,
        TarEntryType.Directory => SquashfsEntryType.Directory,
        TarEntryType.SymbolicLink => SquashfsEntryType.SymbolicLink,
        TarEntryType.HardLink => SquashfsEntryType.HardLink,
        TarEntryType.CharacterDevice => SquashfsEntryType.CharacterDevice,
        TarEntryType.BlockDevice => SquashfsEntryType.BlockDevice,
        TarEntryType.Fifo => SquashfsEntryType.Fifo,
        _ => throw new ContainerSdkException(Codes.SquashfsInvalidEntry, $"Cannot put '/{path}' into the SquashFS image: its tar type '{(char)header.Type}' is not a file system entry."),
    };

    private static List<KeyValuePair<string, byte[]>>? Xattrs(TarHeader header)
    {
        if (!header.HasPaxRecords) return null;
        // Every xattr goes to the writer, which stores the namespaces SquashFS has (user., security., trusted.) and drops
        // system.* (the ACLs): the mode carries what it may of them.
        List<KeyValuePair<string, byte[]>>? xattrs = null;
        foreach (var (key, value) in header.PaxRecordsRead)
        {
            if (!key.StartsWith(XattrPrefix, StringComparison.Ordinal)) continue;
            string name = key[XattrPrefix.Length..];
            (xattrs ??= new()).Add(new(name, value));
        }
        return xattrs;
    }
}
