using System.Buffers.Binary;

namespace ContainerSdk.Core.Squashfs;

/// <summary>
/// A metadata table (inodes, directories, fragments, ids, xattrs) as SquashFS stores it: 8 KiB blocks, each compressed on
/// its own behind a 2-byte header (its stored length; bit 15 set when stored uncompressed). Held in memory: tables are small
/// next to the data, and their place in the image is known only once the data is written.
/// </summary>
internal sealed class MetadataWriter
{
    public const int BlockSize = 8192;
    private const ushort Uncompressed = 0x8000;

    private readonly BlockCompressor _compressor;
    private readonly MemoryStream _table = new();
    private readonly byte[] _block = new byte[BlockSize];
    private readonly byte[] _compressed;
    private readonly List<long> _blockStarts = new();
    private int _used;

    public MetadataWriter(BlockCompressor compressor)
    {
        _compressor = compressor;
        _compressed = new byte[compressor.OutputSize(BlockSize)];
    }

    /// <summary>Where the block being filled will start, from the table's start.</summary>
    public long BlockStart => _table.Length;

    /// <summary>Where the next byte goes in the block being filled (uncompressed).</summary>
    public int Offset => _used;

    /// <summary>The next byte's reference: its block's start from the table's start, shifted 16 bits, and its offset in it.</summary>
    public ulong Reference => ((ulong)BlockStart << 16) | (uint)_used;

    /// <summary>The start of each block written, from the table's start: what a table's index lists.</summary>
    public IReadOnlyList<long> BlockStarts => _blockStarts;

    /// <summary>Uncompressed bytes written so far.</summary>
    public long Length { get; private set; }

    public void Write(ReadOnlySpan<byte> data)
    {
        Length += data.Length;
        while (data.Length > 0)
        {
            int n = Math.Min(data.Length, BlockSize - _used);
            data[..n].CopyTo(_block.AsSpan(_used));
            _used += n;
            data = data[n..];
            if (_used == BlockSize) Flush();
        }
    }

    public void WriteUInt16(int value) { Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)value); Write(b); }
    public void WriteUInt32(uint value) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, value); Write(b); }
    public void WriteUInt64(ulong value) { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, value); Write(b); }

    /// <summary>Compresses the last, partial block and returns the whole table.</summary>
    public MemoryStream Finish()
    {
        if (_used > 0) Flush();
        _table.Position = 0;
        return _table;
    }

    private void Flush()
    {
        _blockStarts.Add(_table.Length);
        Span<byte> header = stackalloc byte[2];
        int length = _compressor.Compress(_block.AsSpan(0, _used), _compressed);
        if (length < 0)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)(_used | Uncompressed));
            _table.Write(header);
            _table.Write(_block, 0, _used);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)length);
            _table.Write(header);
            _table.Write(_compressed, 0, length);
        }
        _used = 0;
    }
}
