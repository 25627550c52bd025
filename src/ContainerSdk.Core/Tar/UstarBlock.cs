using System.Text;

namespace ContainerSdk.Core.Tar;

/// <summary>
/// The 512-byte ustar header layout (POSIX.1-1988 / IEEE 1003.1 "ustar"), shared by the writer and the reader
/// so that offsets and the checksum rule exist in one place.
/// </summary>
internal static class UstarBlock
{
    public const int Size = 512;

    public const int NameOffset = 0, NameLength = 100;
    public const int ModeOffset = 100, ModeLength = 8;
    public const int UidOffset = 108, UidLength = 8;
    public const int GidOffset = 116, GidLength = 8;
    public const int SizeOffset = 124, SizeLength = 12;
    public const int MtimeOffset = 136, MtimeLength = 12;
    public const int ChecksumOffset = 148, ChecksumLength = 8;
    public const int TypeOffset = 156;
    public const int LinkNameOffset = 157, LinkNameLength = 100;
    public const int MagicOffset = 257, MagicLength = 6;
    public const int VersionOffset = 263, VersionLength = 2;
    public const int UNameOffset = 265, UNameLength = 32;
    public const int GNameOffset = 297, GNameLength = 32;
    public const int DevMajorOffset = 329, DevMajorLength = 8;
    public const int DevMinorOffset = 337, DevMinorLength = 8;
    public const int PrefixOffset = 345, PrefixLength = 155;

    /// <summary>Largest value of a 7-digit octal field (uid, gid, mode, device numbers).</summary>
    public const long MaxOctal7 = 2097151; // 07777777

    /// <summary>Largest value of an 11-digit octal field (size, mtime).</summary>
    public const long MaxOctal11 = 8589934591; // 077777777777

    public static ReadOnlySpan<byte> UstarMagic => "ustar\0"u8;
    public static ReadOnlySpan<byte> UstarVersion => "00"u8;
    public static ReadOnlySpan<byte> GnuMagicAndVersion => "ustar  \0"u8;

    /// <summary>Writes <paramref name="value"/> as zero-padded octal digits filling the field but its last byte, a NUL (GNU tar's layout).</summary>
    public static void WriteOctal(Span<byte> block, int offset, int length, long value)
    {
        var field = block.Slice(offset, length);
        field[^1] = 0;
        for (int i = length - 2; i >= 0; i--)
        {
            field[i] = (byte)('0' + (value & 7));
            value >>= 3;
        }
    }

    public static void WriteBytes(Span<byte> block, int offset, int length, ReadOnlySpan<byte> value) =>
        value[..Math.Min(value.Length, length)].CopyTo(block.Slice(offset, length));

    /// <summary>
    /// The header checksum: the sum of all 512 bytes with the checksum field counted as eight spaces.
    /// Historic writers summed signed chars, so the reader accepts either sum.
    /// </summary>
    public static (long Unsigned, long Signed) Checksums(ReadOnlySpan<byte> block)
    {
        long unsigned = 0, signed = 0;
        for (int i = 0; i < Size; i++)
        {
            byte b = i >= ChecksumOffset && i < ChecksumOffset + ChecksumLength ? (byte)' ' : block[i];
            unsigned += b;
            signed += (sbyte)b;
        }
        return (unsigned, signed);
    }

    public static void WriteChecksum(Span<byte> block)
    {
        long sum = Checksums(block).Unsigned;
        // "%06o\0 ": six digits, NUL, space, as GNU tar writes it.
        WriteOctal(block, ChecksumOffset, 7, sum);
        block[ChecksumOffset + 7] = (byte)' ';
    }

    /// <summary>A NUL-terminated (or full-width) field's bytes.</summary>
    public static ReadOnlySpan<byte> Field(ReadOnlySpan<byte> block, int offset, int length)
    {
        var field = block.Slice(offset, length);
        int nul = field.IndexOf((byte)0);
        return nul < 0 ? field : field[..nul];
    }

    public static bool IsAllZero(ReadOnlySpan<byte> block) => block.IndexOfAnyExcept((byte)0) < 0;

    /// <summary>
    /// Parses an octal field (leading spaces/NULs allowed, ended by a space or NUL) or a GNU base-256 field
    /// (first byte 0x80 for positive, 0xFF for negative values). Returns false for anything malformed or out of range.
    /// </summary>
    public static bool TryParseNumber(ReadOnlySpan<byte> field, out long value)
    {
        value = 0;
        if (field.Length > 0 && (field[0] & 0x80) != 0)
        {
            // Base-256, two's complement: bit 0x40 of the first byte is the sign.
            long v = field[0] & 0x7F;
            if ((field[0] & 0x40) != 0) v -= 0x80;
            for (int i = 1; i < field.Length; i++)
            {
                if (v > (long.MaxValue >> 8) || v < (long.MinValue >> 8)) return false;
                v = v * 256 + field[i];
            }
            value = v;
            return true;
        }

        int p = 0;
        while (p < field.Length && (field[p] == ' ' || field[p] == 0)) p++;
        long result = 0;
        for (; p < field.Length; p++)
        {
            byte b = field[p];
            if (b == ' ' || b == 0) break;
            if (b < '0' || b > '7') return false;
            if (result > (long.MaxValue >> 3)) return false;
            result = (result << 3) | (long)(b - '0');
        }
        // Only terminators may follow the digits.
        for (; p < field.Length; p++)
            if (field[p] != ' ' && field[p] != 0) return false;
        value = result;
        return true;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool TryDecodeUtf8(ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }

    public static byte[] Utf8(string text) => StrictUtf8.GetBytes(text);

    public static bool IsAscii(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyInRange((byte)0x80, (byte)0xFF) < 0;

    /// <summary>The longest prefix of <paramref name="utf8"/> not longer than <paramref name="max"/> that does not cut a character.</summary>
    public static ReadOnlySpan<byte> TruncateUtf8(ReadOnlySpan<byte> utf8, int max)
    {
        if (utf8.Length <= max) return utf8;
        int end = max;
        while (end > 0 && (utf8[end] & 0xC0) == 0x80) end--;
        return utf8[..end];
    }
}
