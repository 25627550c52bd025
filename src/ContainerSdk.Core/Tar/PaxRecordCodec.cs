using System.Text;

namespace ContainerSdk.Core.Tar;

/// <summary>
/// PAX extended header records: "&lt;length&gt; &lt;key&gt;=&lt;value&gt;\n", where the decimal length counts the whole
/// record including its own digits. Values are raw bytes so that binary xattr values survive byte for byte.
/// </summary>
internal static class PaxRecordCodec
{
    public static byte[] Encode(IEnumerable<KeyValuePair<string, byte[]>> records)
    {
        using var buffer = new MemoryStream();
        foreach (var (key, value) in records)
        {
            var keyBytes = Encoding.UTF8.GetBytes(key);
            int rest = 1 + keyBytes.Length + 1 + value.Length + 1; // ' ' key '=' value '\n'
            int length = rest + Digits(rest);
            // Adding the digits can itself add a digit (e.g. 99 -> 101 needs 3 digits): settle it.
            while (length != rest + Digits(length)) length = rest + Digits(length);
            buffer.Write(Encoding.ASCII.GetBytes(length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            buffer.WriteByte((byte)' ');
            buffer.Write(keyBytes);
            buffer.WriteByte((byte)'=');
            buffer.Write(value);
            buffer.WriteByte((byte)'\n');
        }
        return buffer.ToArray();
    }

    private static int Digits(int n)
    {
        int d = 1;
        while (n >= 10) { n /= 10; d++; }
        return d;
    }

    /// <summary>Splits a PAX header's data into records; returns an error message instead of throwing so the reader can name the entry.</summary>
    public static string? TryDecode(ReadOnlySpan<byte> data, List<KeyValuePair<string, byte[]>> records)
    {
        int pos = 0;
        while (pos < data.Length)
        {
            // Some writers pad the data with NULs after the last record.
            if (data[pos] == 0 && UstarBlock.IsAllZero(data[pos..])) break;

            int space = data[pos..].IndexOf((byte)' ');
            if (space <= 0 || space > 10) return $"malformed PAX record length at byte {pos}";
            long length = 0;
            foreach (byte b in data.Slice(pos, space))
            {
                if (b < '0' || b > '9') return $"malformed PAX record length at byte {pos}";
                length = length * 10 + (b - '0');
            }
            if (length < space + 3 || length > data.Length - pos)
                return $"PAX record at byte {pos} claims {length} bytes, beyond its header's {data.Length - pos} remaining bytes";

            var record = data.Slice(pos, (int)length);
            if (record[^1] != '\n') return $"PAX record at byte {pos} does not end with a newline";
            var body = record[(space + 1)..^1];
            int equals = body.IndexOf((byte)'=');
            if (equals <= 0) return $"PAX record at byte {pos} has no key";
            if (!UstarBlock.TryDecodeUtf8(body[..equals], out var key)) return $"PAX record key at byte {pos} is not valid UTF-8";
            records.Add(new(key, body[(equals + 1)..].ToArray()));
            pos += (int)length;
        }
        return null;
    }
}
