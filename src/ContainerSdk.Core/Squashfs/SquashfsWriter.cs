using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Squashfs;

/// <summary>
/// Writes a tree as a SquashFS 4.0 image (what the kernel, squashfuse, squashfs-tools and Apptainer read) in one pass:
/// <see cref="Add"/> each entry in order (parents before children), then <see cref="Commit"/>. A file's blocks are
/// compressed and streamed to the image as it is added; its tail (or the whole of a file smaller than a block) is packed
/// with others into fragment blocks. The tables (inodes, folders, fragments, ids, xattrs) are kept in memory, small next
/// to the data, and appended at the end; the superblock is written last, at offset 0, and the image padded to 4 KiB for
/// loop devices. The image is written under a temporary name and renamed on <see cref="Commit"/>: disposed before,
/// nothing is left. The same entries and options give the same bytes.
/// </summary>
internal sealed class SquashfsWriter : IDisposable
{
    private const int SuperblockSize = 96;
    private const int Padding = 4096;
    private const int MaxNameBytes = 256;

    private readonly SquashfsOptions _options;
    private readonly int _blockSize;
    private readonly BlockCompressor _compressor;
    private readonly TempFile _temp;
    private readonly FileStream _output;
    private readonly DataBlockWriter _data;
    private readonly IdTable _ids = new();
    private readonly XattrTable _xattrs = new();
    private readonly Dictionary<string, Inode> _paths = new(StringComparer.Ordinal);
    private readonly Inode _root;
    private readonly List<(long Start, uint Size)> _fragments = new();
    // Files already written, by content: a later identical file shares their blocks (mksquashfs's duplicate check).
    private readonly Dictionary<(long, string), FileData> _byCallerHash = new();
    private readonly Dictionary<(long, string), FileData> _byOwnHash = new();
    private byte[] _fragment;
    private int _fragmentUsed;
    private bool _rootGiven, _committed, _failed;

    public SquashfsWriter(string path, SquashfsOptions options)
    {
        _options = options;
        _blockSize = options.BlockSize;
        if (_blockSize < 4096 || _blockSize > 1 << 20 || (_blockSize & (_blockSize - 1)) != 0)
            throw new ContainerSdkException(Codes.SquashfsInvalidOptions, $"SquashFS block size {_blockSize} is not a power of two from 4096 to 1048576.");
        _compressor = BlockCompressor.For(options.Compression, _blockSize);
        _root = NewFolder(null, mode: 0x1ED, options.MkfsTime, "");
        _root.Implicit = true;
        _paths[""] = _root;
        _temp = new TempFile(path);
        _output = _temp.Create(1 << 20);
        _output.Write(new byte[SuperblockSize]); // the superblock's place, filled last
        _data = new DataBlockWriter(_output, _compressor, options.Threads);
        _fragment = ArrayPool<byte>.Shared.Rent(_blockSize);
    }

    /// <summary>Files whose content was found identical to an earlier file's and shares its blocks.</summary>
    public long DuplicateFiles { get; private set; }

    /// <summary>Writes a whole tree: <paramref name="entries"/> in order, then the tables.</summary>
    public static SquashfsSummary Write(string path, IEnumerable<SquashfsEntry> entries, SquashfsOptions options, CancellationToken cancellation = default)
    {
        using var writer = new SquashfsWriter(path, options);
        foreach (var entry in entries) writer.Add(entry, cancellation);
        return writer.Commit();
    }

    public void Add(SquashfsEntry entry, CancellationToken cancellation = default)
    {
        if (_committed) throw new InvalidOperationException("The image is already committed.");
        cancellation.ThrowIfCancellationRequested();
        try { AddEntry(entry, cancellation); }
        catch { _failed = true; throw; }
    }

    private void AddEntry(SquashfsEntry entry, CancellationToken cancellation)
    {
        string path = Normalize(entry.Path);
        if (path.Length == 0)
        {
            if (entry.Type != SquashfsEntryType.Directory || _rootGiven || _root.Children!.Count > 0)
                throw Invalid(entry.Path, entry.Type != SquashfsEntryType.Directory ? "the root must be a folder" : "the root is given after entries inside it, or twice");
            _rootGiven = true;
            _root.Implicit = false;
            SetAttributes(_root, entry, path);
            return;
        }
        int slash = path.LastIndexOf('/');
        var parent = Folder(slash < 0 ? "" : path[..slash], entry.Path);
        byte[] name = Encoding.UTF8.GetBytes(slash < 0 ? path : path[(slash + 1)..]);
        if (name.Length > MaxNameBytes) throw Invalid(entry.Path, $"its name is longer than SquashFS's {MaxNameBytes} bytes");

        if (_paths.TryGetValue(path, out var existing))
        {
            // A folder made for an earlier entry's path, now given itself.
            if (existing.Implicit && entry.Type == SquashfsEntryType.Directory)
            {
                existing.Implicit = false;
                SetAttributes(existing, entry, path);
                return;
            }
            throw Invalid(entry.Path, "the path is given twice");
        }

        Inode inode;
        switch (entry.Type)
        {
            case SquashfsEntryType.HardLink:
                string target = Normalize(entry.LinkTarget);
                if (!_paths.TryGetValue(target, out inode!) || inode.Type == SquashfsEntryType.Directory)
                    throw Invalid(entry.Path, $"a hard link must name an earlier entry that is not a folder, and '{entry.LinkTarget}' is not one");
                inode.Names++;
                break;
            case SquashfsEntryType.Directory:
                inode = NewFolder(parent, 0, 0, path);
                SetAttributes(inode, entry, path);
                break;
            default:
                inode = new Inode(entry.Type);
                SetAttributes(inode, entry, path);
                if (entry.Type == SquashfsEntryType.File) inode.Data = WriteContent(entry, cancellation);
                else if (entry.Type == SquashfsEntryType.SymbolicLink) inode.LinkTarget = Encoding.UTF8.GetBytes(entry.LinkTarget);
                else if (entry.Type is SquashfsEntryType.CharacterDevice or SquashfsEntryType.BlockDevice) inode.Device = EncodeDevice(entry);
                break;
        }
        parent.Children!.Add(new DirectoryEntry(name, inode));
        _paths.Add(path, inode);
    }

    /// <summary>Appends the tables and the superblock, and puts the image in its place.</summary>
    public SquashfsSummary Commit()
    {
        if (_committed) throw new InvalidOperationException("The image is already committed.");
        if (_failed) throw new InvalidOperationException("An entry failed; the image cannot be committed.");
        FlushFragment();
        _data.Drain();
        ArrayPool<byte>.Shared.Return(_fragment);
        _fragment = Array.Empty<byte>();

        var inodes = new MetadataWriter(_compressor);
        var directories = new MetadataWriter(_compressor);
        uint inodeCount = InodeTables.Write(_root, inodes, directories);

        long inodeTable = _output.Position;
        inodes.Finish().CopyTo(_output);
        long directoryTable = _output.Position;
        directories.Finish().CopyTo(_output);

        var fragments = new MetadataWriter(_compressor);
        foreach (var (start, size) in _fragments)
        {
            fragments.WriteUInt64((ulong)start);
            fragments.WriteUInt32(size);
            fragments.WriteUInt32(0);
        }
        long fragmentTable = WriteIndexed(fragments);

        var ids = new MetadataWriter(_compressor);
        _ids.WriteTo(ids);
        long idTable = WriteIndexed(ids);

        long xattrTable = _xattrs.Count > 0 ? _xattrs.WriteTo(_output, _compressor) : -1;
        long bytesUsed = _output.Position;
        long padded = (bytesUsed + Padding - 1) / Padding * Padding;
        _output.Write(new byte[padded - bytesUsed]);

        var flags = Flags.AlwaysFragments | (DuplicateFiles > 0 ? Flags.Duplicates : 0) | (_xattrs.Count == 0 ? Flags.NoXattrs : 0);
        Span<byte> superblock = stackalloc byte[SuperblockSize];
        BinaryPrimitives.WriteUInt32LittleEndian(superblock[0..], 0x73717368); // "hsqs"
        BinaryPrimitives.WriteUInt32LittleEndian(superblock[4..], inodeCount);
        BinaryPrimitives.WriteUInt32LittleEndian(superblock[8..], _options.MkfsTime);
        BinaryPrimitives.WriteUInt32LittleEndian(superblock[12..], (uint)_blockSize);
        BinaryPrimitives.WriteUInt32LittleEndian(superblock[16..], (uint)_fragments.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(superblock[20..], (ushort)_options.Compression);
        BinaryPrimitives.WriteUInt16LittleEndian(superblock[22..], (ushort)System.Numerics.BitOperations.Log2((uint)_blockSize));
        BinaryPrimitives.WriteUInt16LittleEndian(superblock[24..], (ushort)flags);
        BinaryPrimitives.WriteUInt16LittleEndian(superblock[26..], (ushort)_ids.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(superblock[28..], 4); // version 4.0
        BinaryPrimitives.WriteUInt16LittleEndian(superblock[30..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(superblock[32..], _root.Reference);
        BinaryPrimitives.WriteUInt64LittleEndian(superblock[40..], (ulong)bytesUsed);
        BinaryPrimitives.WriteUInt64LittleEndian(superblock[48..], (ulong)idTable);
        BinaryPrimitives.WriteUInt64LittleEndian(superblock[56..], (ulong)xattrTable);
        BinaryPrimitives.WriteUInt64LittleEndian(superblock[64..], (ulong)inodeTable);
        BinaryPrimitives.WriteUInt64LittleEndian(superblock[72..], (ulong)directoryTable);
        BinaryPrimitives.WriteUInt64LittleEndian(superblock[80..], (ulong)fragmentTable);
        BinaryPrimitives.WriteUInt64LittleEndian(superblock[88..], ulong.MaxValue); // no export table
        _output.Position = 0;
        _output.Write(superblock);
        _output.Dispose();
        _temp.Commit();
        _committed = true;
        return new SquashfsSummary(padded, inodeCount, _fragments.Count, DuplicateFiles);
    }

    public void Dispose()
    {
        if (!_committed)
        {
            _data.Abandon();
            _output.Dispose();
            if (_fragment.Length > 0) ArrayPool<byte>.Shared.Return(_fragment);
            _fragment = Array.Empty<byte>();
        }
        _temp.Dispose();
    }

    /// <summary>Writes a table's blocks, then its index (each block's place in the image); returns the index's place.</summary>
    private long WriteIndexed(MetadataWriter table)
    {
        long start = _output.Position;
        table.Finish().CopyTo(_output);
        long index = _output.Position;
        Span<byte> position = stackalloc byte[8];
        foreach (var block in table.BlockStarts)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(position, (ulong)(start + block));
            _output.Write(position);
        }
        return index;
    }

    private FileData WriteContent(SquashfsEntry entry, CancellationToken cancellation)
    {
        long size = entry.Size;
        if (size < 0) throw Invalid(entry.Path, $"its size {size} is negative");
        int full = checked((int)(size / _blockSize)), tail = (int)(size % _blockSize);
        var data = new FileData(size, full);
        if (size == 0) return data;
        (long, string)? callerKey = entry.ContentHash is { } hash ? (size, Convert.ToHexString(hash)) : null;
        if (callerKey is { } known && _byCallerHash.TryGetValue(known, out var same))
        {
            DuplicateFiles++;
            return same;
        }
        if (entry.OpenContent is null) throw Invalid(entry.Path, "a file with content has nothing to open it");

        using (var content = entry.OpenContent())
        {
            for (int i = 0; i < full; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                var block = ArrayPool<byte>.Shared.Rent(_blockSize);
                try { ReadExactly(content, block.AsSpan(0, _blockSize), entry.Path); }
                catch { ArrayPool<byte>.Shared.Return(block); throw; }
                if (block.AsSpan(0, _blockSize).IndexOfAnyExcept((byte)0) < 0)
                {
                    // A block of zeros is not stored: its size word 0 reads back as zeros (mksquashfs's sparse blocks).
                    ArrayPool<byte>.Shared.Return(block);
                    data.Sparse += _blockSize;
                    continue;
                }
                int index = i;
                _data.Submit(block, _blockSize, (at, word) =>
                {
                    if (!data.Started) { data.Start = at; data.Started = true; }
                    data.Blocks[index] = word;
                });
            }
            if (tail > 0)
            {
                if (_fragmentUsed + tail > _blockSize) FlushFragment();
                var bytes = _fragment.AsSpan(_fragmentUsed, tail);
                ReadExactly(content, bytes, entry.Path);
                // A small file the caller did not hash is checked against earlier ones here, where it is in memory.
                (long, string)? ownKey = full == 0 && callerKey is null ? (size, Convert.ToHexString(SHA256.HashData(bytes))) : null;
                if (ownKey is { } own && _byOwnHash.TryGetValue(own, out var earlier))
                {
                    DuplicateFiles++;
                    return earlier;
                }
                data.Fragment = (uint)_fragments.Count;
                data.FragmentOffset = (uint)_fragmentUsed;
                _fragmentUsed += tail;
                if (ownKey is { } key) _byOwnHash.Add(key, data);
            }
        }
        if (callerKey is { } newKey) _byCallerHash.Add(newKey, data);
        return data;
    }

    private void FlushFragment()
    {
        if (_fragmentUsed == 0) return;
        int index = _fragments.Count;
        _fragments.Add(default);
        _data.Submit(_fragment, _fragmentUsed, (at, word) => _fragments[index] = (at, word));
        _fragment = ArrayPool<byte>.Shared.Rent(_blockSize);
        _fragmentUsed = 0;
    }

    private static void ReadExactly(Stream content, Span<byte> buffer, string path)
    {
        if (content.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) < buffer.Length)
            throw new ContainerSdkException(Codes.FileChangedWhileReading,
                $"'{path}' ended before its size while the SquashFS image was written: it changed while the build was reading it; build again once it is no longer being written.", path);
    }

    private Inode Folder(string path, string entryPath)
    {
        if (_paths.TryGetValue(path, out var folder))
        {
            if (folder.Type != SquashfsEntryType.Directory) throw Invalid(entryPath, $"its parent '{path}' is not a folder");
            return folder;
        }
        int slash = path.LastIndexOf('/');
        var parent = Folder(slash < 0 ? "" : path[..slash], entryPath);
        byte[] name = Encoding.UTF8.GetBytes(slash < 0 ? path : path[(slash + 1)..]);
        if (name.Length > MaxNameBytes) throw Invalid(entryPath, $"a folder name is longer than SquashFS's {MaxNameBytes} bytes");
        folder = NewFolder(parent, 0x1ED, _options.MkfsTime, path);
        folder.Implicit = true;
        parent.Children!.Add(new DirectoryEntry(name, folder));
        _paths.Add(path, folder);
        return folder;
    }

    private Inode NewFolder(Inode? parent, int mode, uint time, string path) => new(SquashfsEntryType.Directory)
    {
        Children = new List<DirectoryEntry>(),
        Parent = parent,
        Mode = (ushort)mode,
        ModificationTime = time,
        UidIndex = _ids.IndexOf(0, path),
        GidIndex = _ids.IndexOf(0, path),
    };

    private void SetAttributes(Inode inode, SquashfsEntry entry, string path)
    {
        if (entry.ModificationTime < 0 || entry.ModificationTime > uint.MaxValue)
            throw new ContainerSdkException(Codes.SquashfsLimitExceeded, $"'{entry.Path}' has modification time {entry.ModificationTime}, outside SquashFS's 0 to {uint.MaxValue} seconds.");
        inode.Mode = (ushort)(entry.Mode & 0xFFF);
        inode.UidIndex = _ids.IndexOf(entry.Uid, path);
        inode.GidIndex = _ids.IndexOf(entry.Gid, path);
        inode.ModificationTime = (uint)entry.ModificationTime;
        inode.Xattr = _xattrs.Add(entry.Xattrs);
    }

    /// <summary>The kernel's dev_t encoding (new_encode_dev): minor's low 8 bits, major, then minor's upper bits.</summary>
    private static uint EncodeDevice(SquashfsEntry entry) =>
        (uint)(entry.DeviceMinor & 0xFF) | ((uint)(entry.DeviceMajor & 0xFFF) << 8) | ((uint)(entry.DeviceMinor & ~0xFF) << 12);

    private static string Normalize(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Any(p => p == ".."))
            throw Invalid(path, "'..' is not a name an image can hold");
        return string.Join('/', parts.Where(p => p != "."));
    }

    private static ContainerSdkException Invalid(string path, string why) =>
        new(Codes.SquashfsInvalidEntry, $"Cannot put '{path}' into the SquashFS image: {why}.");

    [Flags]
    private enum Flags : ushort
    {
        AlwaysFragments = 0x0020,
        Duplicates = 0x0040,
        NoXattrs = 0x0200,
    }
}

/// <summary>What an image holds: its length (padded), inodes, fragment blocks, and files that shared an earlier file's blocks.</summary>
internal sealed record SquashfsSummary(long Length, uint Inodes, int Fragments, long DuplicateFiles);
