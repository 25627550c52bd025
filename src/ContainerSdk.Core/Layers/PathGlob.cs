using System.Text;
using System.Text.RegularExpressions;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// The <c>Exclude</c> globs of a module, relative to its root. A pattern without '/' matches a name at any
/// depth ("*.o", ".git"), as in .gitignore; a pattern with '/' matches the whole relative path
/// ("docs/**/*.pdf"); '**' spans folders, '*' and '?' stay within one name. A matched folder is left out
/// with everything below it.
/// </summary>
internal sealed class PathGlob
{
    private readonly Regex[] _patterns;

    public PathGlob(IEnumerable<string> patterns, string itemSpec)
    {
        _patterns = patterns.Select(p => p.Trim()).Where(p => p.Length > 0).Select(p => Compile(p, itemSpec)).ToArray();
    }

    public bool IsEmpty => _patterns.Length == 0;

    /// <summary>Whether the path (relative to the module root, '/'-separated) is excluded.</summary>
    public bool Matches(string relativePath) => _patterns.Any(r => r.IsMatch(relativePath));

    private static Regex Compile(string pattern, string itemSpec)
    {
        string p = pattern.Replace('\\', '/');
        while (p.StartsWith("./", StringComparison.Ordinal)) p = p[2..];
        p = p.TrimStart('/').TrimEnd('/');
        if (p.Length == 0 || p.Split('/').Any(part => part == ".."))
            throw new ContainerSdkException(Codes.InvalidExclude, $"ExcludeFiles pattern '{pattern}' of '{itemSpec}' must name something inside the module (no '..', not empty).");
        bool anyDepth = !p.Contains('/');
        var sb = new StringBuilder(anyDepth ? "^(?:.*/)?" : "^");
        for (int i = 0; i < p.Length; i++)
        {
            char c = p[i];
            if (c == '*' && i + 1 < p.Length && p[i + 1] == '*')
            {
                bool slashAfter = i + 2 < p.Length && p[i + 2] == '/';
                sb.Append(slashAfter ? "(?:.*/)?" : ".*");
                i += slashAfter ? 2 : 1;
            }
            else if (c == '*') sb.Append("[^/]*");
            else if (c == '?') sb.Append("[^/]");
            else sb.Append(Regex.Escape(c.ToString()));
        }
        sb.Append('$');
        return new Regex(sb.ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }
}
