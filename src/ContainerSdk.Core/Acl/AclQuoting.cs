using System.Text;

namespace ContainerSdk.Core.Acl;

/// <summary>
/// The escaping getfacl applies to file names (libacl's quote/unquote): a backslash becomes "\\", a newline
/// or carriage return becomes a three-digit octal escape ("\012"), every other byte is written as it is
/// (spaces, tabs and non-ASCII included). Escapes stand for bytes, so names are rebuilt as UTF-8.
/// </summary>
internal static class AclQuoting
{
    public static string Quote(string name)
    {
        if (name.IndexOfAny(new[] { '\\', '\n', '\r' }) < 0) return name;
        var sb = new StringBuilder(name.Length + 8);
        foreach (var c in name)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\012"); break;
                case '\r': sb.Append("\\015"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// Undoes <see cref="Quote"/>. Like setfacl, a backslash that starts neither "\\" nor a three-digit
    /// octal escape stands for itself.
    /// </summary>
    public static string Unquote(string text)
    {
        if (text.IndexOf('\\') < 0) return text;
        var bytes = new List<byte>(text.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] <= '3' && IsOctal(text, i + 1) && IsOctal(text, i + 2) && IsOctal(text, i + 3))
            {
                var value = ((text[i + 1] - '0') << 6) | ((text[i + 2] - '0') << 3) | (text[i + 3] - '0');
                bytes.Add((byte)value);
                i += 3;
                continue;
            }
            if (c == '\\' && i + 1 < text.Length && text[i + 1] == '\\')
            {
                bytes.Add((byte)'\\');
                i++;
                continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < text.Length)
            {
                var n = Encoding.UTF8.GetBytes(text.AsSpan(i, 2), utf8);
                for (var k = 0; k < n; k++) bytes.Add(utf8[k]);
                i++;
                continue;
            }
            var len = Encoding.UTF8.GetBytes(text.AsSpan(i, 1), utf8);
            for (var k = 0; k < len; k++) bytes.Add(utf8[k]);
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    // Only 0-3 may lead: a byte is at most \377.
    private static bool IsOctal(string s, int i) => i < s.Length && s[i] >= '0' && s[i] <= '7';
}
