using System.Globalization;
using System.Text;

using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Hostile;

/// <summary>
/// Writes tar archives block by block, independently of the project's writer, so that a test can put exactly the
/// malformation it wants into a header: lying sizes, broken checksums, raw name bytes, bad PAX lengths.
/// </summary>
internal sealed class RawTar
{
    private readonly MemoryStream _out = new();

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>One header (ustar magic) and its data. <paramref name="claimedSize"/> overrides the size field.</summary>
    public RawTar Entry(byte[] name, char type = '0', byte[]? data = null, string linkName = "", long? claimedSize = null,
        int mode = 0x1A4, bool badChecksum = false, string magic = "ustar\0", string version = "00")
    {
        data ??= Array.Empty<byte>();
        var block = new byte[512];
        name.AsSpan(0, Math.Min(100, name.Length)).CopyTo(block);
        Octal(block, 100, 8, mode);
        Octal(block, 108, 8, 0);
        Octal(block, 116, 8, 0);
        long size = claimedSize ?? data.Length;
        if (size > 077777777777L) Base256(block, 124, 12, size); else Octal(block, 124, 12, size);
        Octal(block, 136, 12, 0);
        block[156] = (byte)type;
        Utf8(linkName).AsSpan(0, Math.Min(100, Utf8(linkName).Length)).CopyTo(block.AsSpan(157));
        Encoding.ASCII.GetBytes(magic).CopyTo(block, 257);
        Encoding.ASCII.GetBytes(version).CopyTo(block, 263);
        Checksum(block, badChecksum);
        _out.Write(block);
        _out.Write(data);
        Pad(data.Length);
        return this;
    }

    public RawTar Entry(string name, char type = '0', string? data = null, string linkName = "", long? claimedSize = null, bool badChecksum = false) =>
        Entry(Utf8(name), type, data is null ? null : Utf8(data), linkName, claimedSize, badChecksum: badChecksum);

    /// <summary>A PAX extended header ('x') whose data is written exactly as given (lengths are not checked).</summary>
    public RawTar PaxRaw(string records, char type = 'x') => Entry(Utf8("PaxHeaders/x"), type, Utf8(records));

    /// <summary>Well-formed PAX records for the next entry.</summary>
    public RawTar Pax(params (string Key, string Value)[] records)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in records)
        {
            int rest = Utf8($" {key}={value}\n").Length;
            int length = rest + rest.ToString(CultureInfo.InvariantCulture).Length;
            if (length.ToString(CultureInfo.InvariantCulture).Length != (length - rest)) length++;
            text.Append(CultureInfo.InvariantCulture, $"{length} {key}={value}\n");
        }
        return PaxRaw(text.ToString());
    }

    /// <summary>A GNU long name ('L') record, then the caller writes the entry it names.</summary>
    public RawTar GnuLongName(byte[] name, long? claimedSize = null) =>
        Entry(Utf8("././@LongLink"), 'L', name, claimedSize: claimedSize, magic: "ustar ", version: " \0");

    public RawTar Raw(byte[] bytes) { _out.Write(bytes); return this; }

    /// <summary>The archive with its two zero end blocks.</summary>
    public byte[] Bytes(bool end = true)
    {
        var bytes = _out.ToArray();
        return end ? bytes.Concat(new byte[1024]).ToArray() : bytes;
    }

    public string WriteTo(string path, bool end = true)
    {
        File.WriteAllBytes(path, Bytes(end));
        return path;
    }

    private void Pad(long length)
    {
        long pad = (512 - length % 512) % 512;
        _out.Write(new byte[pad]);
    }

    private static void Octal(byte[] block, int offset, int length, long value)
    {
        var text = Convert.ToString(value, 8).PadLeft(length - 1, '0');
        Encoding.ASCII.GetBytes(text).CopyTo(block, offset);
        block[offset + length - 1] = 0;
    }

    private static void Base256(byte[] block, int offset, int length, long value)
    {
        for (int i = offset + length - 1; i > offset; i--) { block[i] = (byte)(value & 0xFF); value >>= 8; }
        block[offset] = 0x80;
    }

    private static void Checksum(byte[] block, bool corrupt)
    {
        for (int i = 148; i < 156; i++) block[i] = (byte)' ';
        long sum = block.Sum(b => (long)b);
        if (corrupt) sum += 7;
        var text = Convert.ToString(sum, 8).PadLeft(6, '0');
        Encoding.ASCII.GetBytes(text).CopyTo(block, 148);
        block[154] = 0;
        block[155] = (byte)' ';
    }
}
