using System.Text;

namespace ContainerSdk.Core.Modules;

/// <summary>
/// Moves a modulefile from the prefix it was installed at to the one the image has, in its text: every occurrence
/// of the old prefix that is a whole path (or the start of one) becomes the new prefix. "Whole" means the old prefix
/// is not the tail of a longer path before it, nor the head of a longer name after it: with the prefix
/// <c>/apps/gcc</c>, <c>/apps/gcc/bin</c>, <c>"/apps/gcc"</c>, <c>-I/apps/gcc/include</c> and
/// <c>/x:/apps/gcc/lib</c> move; <c>/apps/gcc-12</c> and <c>/opt/apps/gcc</c> do not. Text with nothing to move
/// comes back as the same instance.
/// </summary>
internal static class PrefixRewriter
{
    public static string Rewrite(string text, string from, string to)
    {
        from = Trim(from);
        to = Trim(to);
        // "/" as the old prefix would match every path: there is nothing to move from.
        if (from == "/" || from.Length == 0 || from == to) return text;
        var result = new StringBuilder(text.Length);
        bool moved = false;
        int pos = 0;
        while (true)
        {
            int at = text.IndexOf(from, pos, StringComparison.Ordinal);
            if (at < 0) break;
            int end = at + from.Length;
            if (StartsPath(text, at) && (end == text.Length || !IsNameChar(text[end])))
            {
                result.Append(text, pos, at - pos).Append(to == "/" && end < text.Length && text[end] == '/' ? "" : to);
                moved = true;
            }
            else result.Append(text, pos, end - pos);
            pos = end;
        }
        return moved ? result.Append(text, pos, text.Length - pos).ToString() : text;
    }

    private static string Trim(string prefix) => prefix.Length > 1 ? prefix.TrimEnd('/') : prefix;

    /// <summary>Nothing path-like before it, or a one-letter compiler flag (-I, -L, -R) before it.</summary>
    private static bool StartsPath(string text, int at)
    {
        if (at == 0 || !IsPathChar(text[at - 1])) return true;
        return at >= 2 && char.IsAsciiLetter(text[at - 1]) && text[at - 2] == '-' && (at == 2 || !IsPathChar(text[at - 3]));
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+' or '@' or '~';
    private static bool IsPathChar(char c) => IsNameChar(c) || c == '/';
}
