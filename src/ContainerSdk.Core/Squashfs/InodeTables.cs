
namespace ContainerSdk.Core.Squashfs;

/// <summary>
/// Writes the inode table and the directory table from the tree. Inodes are numbered and written children first (a
/// folder's subfolders with their whole subtrees, then its other entries, then the folder itself, the root last), so
/// that a folder's listing, which names its entries' inode references, is written before the folder's inode, which
/// names the listing's place: one pass, as mksquashfs orders them.
/// </summary>
internal static class InodeTables
{
    private const int MaxEntriesPerHeader = 256;
    private const int MaxNumberDelta = short.MaxValue;

    /// <summary>Returns the number of inodes; <paramref name="root"/>'s <see cref="Inode.Reference"/> is then the root reference.</summary>
    public static uint Write(Inode root, MetadataWriter inodes, MetadataWriter directories)
    {
        var order = new List<Inode>();
        var placed = new HashSet<Inode>(ReferenceEqualityComparer.Instance);
        Order(root, order, placed);
        for (int i = 0; i < order.Count; i++) order[i].Number = (uint)(i + 1);
        uint rootParent = (uint)order.Count + 1; // mksquashfs's convention: one past the last inode

        foreach (var inode in order)
        {
            if (inode.Type != SquashfsEntryType.Directory)
            {
                inode.Reference = inodes.Reference;
                WriteInode(inodes, inode);
                continue;
            }
            long listingBlock = directories.BlockStart;
            int listingOffset = directories.Offset;
            long before = directories.Length;
            WriteListing(directories, inode.Children!);
            long listingSize = directories.Length - before;
            inode.Reference = inodes.Reference;
            WriteDirectoryInode(inodes, inode, (uint)listingBlock, (ushort)listingOffset, listingSize, inode.Parent?.Number ?? rootParent);
        }
        return (uint)order.Count;
    }

    private static void Order(Inode folder, List<Inode> order, HashSet<Inode> placed)
    {
        folder.Children!.Sort((a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
        foreach (var child in folder.Children)
            if (child.Inode.Type == SquashfsEntryType.Directory) Order(child.Inode, order, placed);
        foreach (var child in folder.Children)
            if (child.Inode.Type != SquashfsEntryType.Directory && placed.Add(child.Inode)) order.Add(child.Inode);
        order.Add(folder);
    }

    /// <summary>
    /// A folder's entries in name order, under headers: a header starts a run of at most 256 entries whose inodes are in
    /// the same inode-table block and whose numbers are within ±32767 of its own.
    /// </summary>
    private static void WriteListing(MetadataWriter table, List<DirectoryEntry> children)
    {
        for (int i = 0; i < children.Count;)
        {
            var first = children[i].Inode;
            ulong block = first.Reference >> 16;
            long number = first.Number;
            int end = i;
            while (end < children.Count && end - i < MaxEntriesPerHeader && children[end].Inode.Reference >> 16 == block
                   && Math.Abs(children[end].Inode.Number - number) <= MaxNumberDelta)
                end++;
            table.WriteUInt32((uint)(end - i - 1));
            table.WriteUInt32((uint)block);
            table.WriteUInt32((uint)number);
            for (int k = i; k < end; k++)
            {
                var (name, inode) = children[k];
                table.WriteUInt16((ushort)(inode.Reference & 0xFFFF));
                table.WriteUInt16((ushort)(short)(inode.Number - number));
                table.WriteUInt16(inode.BasicType);
                table.WriteUInt16(name.Length - 1);
                table.Write(name);
            }
            i = end;
        }
    }

    private static void WriteHeader(MetadataWriter table, Inode inode, int type)
    {
        table.WriteUInt16(type);
        table.WriteUInt16(inode.Mode);
        table.WriteUInt16(inode.UidIndex);
        table.WriteUInt16(inode.GidIndex);
        table.WriteUInt32(inode.ModificationTime);
        table.WriteUInt32(inode.Number);
    }

    private static void WriteDirectoryInode(MetadataWriter table, Inode folder, uint listingBlock, ushort listingOffset, long listingSize, uint parent)
    {
        uint links = 2 + (uint)folder.Children!.Count(c => c.Inode.Type == SquashfsEntryType.Directory);
        // The size counts 3 bytes more than the listing: the "." and ".." entries the kernel makes up.
        long size = listingSize + 3;
        if (folder.Xattr == Inode.NoXattr && size <= ushort.MaxValue)
        {
            WriteHeader(table, folder, 1);
            table.WriteUInt32(listingBlock);
            table.WriteUInt32(links);
            table.WriteUInt16((ushort)size);
            table.WriteUInt16(listingOffset);
            table.WriteUInt32(parent);
            return;
        }
        // The extended form; without a directory index (its count 0), which only speeds up lookups in large folders.
        WriteHeader(table, folder, 8);
        table.WriteUInt32(links);
        table.WriteUInt32((uint)size);
        table.WriteUInt32(listingBlock);
        table.WriteUInt32(parent);
        table.WriteUInt16(0);
        table.WriteUInt16(listingOffset);
        table.WriteUInt32(folder.Xattr);
    }

    private static void WriteInode(MetadataWriter table, Inode inode)
    {
        bool extended = inode.Xattr != Inode.NoXattr;
        switch (inode.Type)
        {
            case SquashfsEntryType.File:
                WriteFile(table, inode);
                return;
            case SquashfsEntryType.SymbolicLink:
                WriteHeader(table, inode, extended ? 10 : 3);
                table.WriteUInt32(inode.Names);
                table.WriteUInt32((uint)inode.LinkTarget!.Length);
                table.Write(inode.LinkTarget);
                break;
            case SquashfsEntryType.BlockDevice or SquashfsEntryType.CharacterDevice:
                WriteHeader(table, inode, inode.BasicType + (extended ? 7 : 0));
                table.WriteUInt32(inode.Names);
                table.WriteUInt32(inode.Device);
                break;
            default: // fifo, socket
                WriteHeader(table, inode, inode.BasicType + (extended ? 7 : 0));
                table.WriteUInt32(inode.Names);
                break;
        }
        if (extended) table.WriteUInt32(inode.Xattr);
    }

    private static void WriteFile(MetadataWriter table, Inode inode)
    {
        var data = inode.Data!;
        if (inode.Names == 1 && inode.Xattr == Inode.NoXattr && data.Sparse == 0 && data.Start <= uint.MaxValue && data.Size <= uint.MaxValue)
        {
            WriteHeader(table, inode, 2);
            table.WriteUInt32((uint)data.Start);
            table.WriteUInt32(data.Fragment);
            table.WriteUInt32(data.FragmentOffset);
            table.WriteUInt32((uint)data.Size);
        }
        else
        {
            WriteHeader(table, inode, 9);
            table.WriteUInt64((ulong)data.Start);
            table.WriteUInt64((ulong)data.Size);
            table.WriteUInt64((ulong)data.Sparse);
            table.WriteUInt32(inode.Names);
            table.WriteUInt32(data.Fragment);
            table.WriteUInt32(data.FragmentOffset);
            table.WriteUInt32(inode.Xattr);
        }
        foreach (var block in data.Blocks) table.WriteUInt32(block);
    }
}
