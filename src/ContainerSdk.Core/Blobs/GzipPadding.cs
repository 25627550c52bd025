using System.Buffers.Binary;

namespace ContainerSdk.Core.Blobs;

/// <summary>
/// Empty gzip members that pad a stream to a block boundary, so that a segment of a layer blob starts and ends on a
/// file system block in every blob and bundle that holds it: XFS and btrfs can then share its extents
/// (<c>FICLONERANGE</c>, <c>copy_file_range</c>) instead of copying its bytes. RFC 1952 lets a member carry an extra
/// field (FLG.FEXTRA) of up to 65535 bytes; an empty member inflates to nothing, so the tar (and the diffID) is
/// unchanged. GNU gzip, zlib, Go's compress/gzip (containerd, podman, umoci, skopeo) and .NET's GZipStream read it as
/// part of the one stream, as they read the members pigz writes. The padding is always written, whatever the file
/// system, so that the bytes, and every digest, are the same everywhere.
/// </summary>
internal static class GzipPadding
{
    /// <summary>The block every segment is aligned to: 4 KiB, the block size of XFS and btrfs on x86-64 and of the page cache.</summary>
    public const int Alignment = 4096;

    /// <summary>header (10), XLEN (2), the subfield's id and length (4), an empty final deflate block (2), CRC-32 and ISIZE (8).</summary>
    public const int MinLength = 26;

    /// <summary>How many bytes of padding bring <paramref name="offset"/> to the next multiple of <see cref="Alignment"/> (0 when it is one).</summary>
    public static int LengthAt(long offset)
    {
        int gap = (int)((Alignment - offset % Alignment) % Alignment);
        return gap == 0 ? 0 : gap < MinLength ? gap + Alignment : gap;
    }

    /// <summary>One empty member of exactly <paramref name="length"/> bytes (at least <see cref="MinLength"/>).</summary>
    public static byte[] Member(int length)
    {
        if (length < MinLength || length - MinLength > ushort.MaxValue - 4) throw new ArgumentOutOfRangeException(nameof(length));
        var member = new byte[length];
        // ID1 ID2 CM=deflate FLG=FEXTRA, MTIME 0, XFL 0, OS Unix (3), as every member the engine writes.
        member[0] = 0x1f; member[1] = 0x8b; member[2] = 8; member[3] = 4; member[9] = 3;
        int data = length - MinLength;
        BinaryPrimitives.WriteUInt16LittleEndian(member.AsSpan(10), (ushort)(data + 4));
        // One subfield, as RFC 1952 2.3.1.1 lays them out: id 'P' 'D' (padding), its length, zeros.
        member[12] = (byte)'P'; member[13] = (byte)'D';
        BinaryPrimitives.WriteUInt16LittleEndian(member.AsSpan(14), (ushort)data);
        // An empty final block with fixed codes (BFINAL 1, BTYPE 01, end of block), then CRC-32 0 and ISIZE 0.
        member[16 + data] = 0x03; member[17 + data] = 0x00;
        return member;
    }
}
