using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ContainerSdk.Core.Modules.Tcl;

/// <summary>
/// Tcl's own commands that hand-written modulefiles use to compute names and paths, as Tcl 8.6 answers them:
/// <c>file</c> (path arithmetic only: nothing is looked up on a disk, which would be the build machine's),
/// <c>string</c> and the list commands. Another subcommand is an error at its line.
/// </summary>
internal static class TclBuiltins
{
    public static string File(List<string> args, int line, ModuleFileRecorder recorder)
    {
        string One() => args.Count == 2 ? args[1] : throw recorder.Syntax($"file {args[0]} takes one name", line);
        switch (args.FirstOrDefault())
        {
            case "join": return Join(args.Skip(1));
            case "dirname": return DirName(One());
            case "tail": return Tail(One());
            case "normalize":
                var path = One();
                if (!path.StartsWith('/'))
                    throw recorder.Unsupported($"file normalize of the relative path '{path}' (it depends on the folder Lmod runs in)", line);
                return Normalize(path);
            case "extension": return Extension(One());
            case "rootname":
                var name = One();
                return name[..(name.Length - Extension(name).Length)];
            case "split":
                var parts = One().Split('/', StringSplitOptions.RemoveEmptyEntries).ToList();
                if (args[1].StartsWith('/')) parts.Insert(0, "/");
                return TclLists.Join(parts);
            default:
                throw recorder.Unsupported($"file {args.FirstOrDefault()} (only path arithmetic is read: join, dirname, tail, normalize, extension, rootname, split; a file's existence would be the build machine's)", line);
        }
    }

    /// <summary>Tcl's <c>file join</c>: parts joined with '/', an absolute part starting over.</summary>
    public static string Join(IEnumerable<string> parts)
    {
        var result = new StringBuilder();
        foreach (var part in parts)
        {
            if (part.StartsWith('/')) result.Clear();
            else if (result.Length > 0 && result[^1] != '/') result.Append('/');
            result.Append(part);
        }
        var joined = Regex.Replace(result.ToString(), "/{2,}", "/");
        return joined.Length > 1 ? joined.TrimEnd('/') : joined;
    }

    public static string DirName(string path)
    {
        var trimmed = path.Length > 1 ? path.TrimEnd('/') : path;
        int slash = trimmed.LastIndexOf('/');
        if (slash < 0) return ".";
        var dir = trimmed[..slash].TrimEnd('/');
        return dir.Length == 0 ? "/" : dir;
    }

    public static string Tail(string path)
    {
        var trimmed = path.TrimEnd('/');
        return trimmed[(trimmed.LastIndexOf('/') + 1)..];
    }

    /// <summary>An absolute path with "." and ".." resolved by name (no links are followed: they would be the build machine's).</summary>
    public static string Normalize(string path)
    {
        var kept = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..") { if (kept.Count > 0) kept.RemoveAt(kept.Count - 1); continue; }
            kept.Add(part);
        }
        return "/" + string.Join('/', kept);
    }

    private static string Extension(string path)
    {
        var tail = Tail(path);
        int dot = tail.LastIndexOf('.');
        return dot <= 0 ? "" : tail[dot..];
    }

    public static string String(List<string> args, int line, ModuleFileRecorder recorder)
    {
        var sub = args.FirstOrDefault();
        var rest = args.Skip(1).ToList();
        bool nocase = rest.Remove("-nocase");
        string Arg(int i) => i < rest.Count ? rest[i] : throw recorder.Syntax($"string {sub} needs more arguments", line);
        int Index(string s, int i) => TclIndex(Arg(i), s.Length, line, recorder);
        var comparison = nocase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        switch (sub)
        {
            case "length": return Arg(0).Length.ToString(CultureInfo.InvariantCulture);
            case "tolower": return Arg(0).ToLowerInvariant();
            case "toupper": return Arg(0).ToUpperInvariant();
            case "trim": return rest.Count > 1 ? Arg(0).Trim(Arg(1).ToCharArray()) : Arg(0).Trim();
            case "trimleft": return rest.Count > 1 ? Arg(0).TrimStart(Arg(1).ToCharArray()) : Arg(0).TrimStart();
            case "trimright": return rest.Count > 1 ? Arg(0).TrimEnd(Arg(1).ToCharArray()) : Arg(0).TrimEnd();
            case "equal": return string.Equals(Arg(0), Arg(1), comparison) ? "1" : "0";
            case "compare": return Math.Sign(nocase ? string.Compare(Arg(0), Arg(1), StringComparison.OrdinalIgnoreCase) : string.CompareOrdinal(Arg(0), Arg(1))).ToString(CultureInfo.InvariantCulture);
            case "first": return Arg(1).IndexOf(Arg(0), StringComparison.Ordinal).ToString(CultureInfo.InvariantCulture);
            case "last": return Arg(1).LastIndexOf(Arg(0), StringComparison.Ordinal).ToString(CultureInfo.InvariantCulture);
            case "index":
            {
                var s = Arg(0);
                int i = Index(s, 1);
                return i >= 0 && i < s.Length ? s[i].ToString() : "";
            }
            case "range":
            {
                var s = Arg(0);
                int first = Math.Max(Index(s, 1), 0), last = Math.Min(Index(s, 2), s.Length - 1);
                return first > last ? "" : s[first..(last + 1)];
            }
            case "repeat":
                return int.TryParse(Arg(1), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count <= 10_000
                    ? string.Concat(Enumerable.Repeat(Arg(0), count)) : throw recorder.Syntax($"string repeat count '{Arg(1)}'", line);
            case "map":
            {
                var pairs = TclLists.Split(Arg(0), m => recorder.Syntax(m, line));
                if (pairs.Count % 2 != 0) throw recorder.Syntax("string map takes a list of pairs", line);
                var s = Arg(1);
                var result = new StringBuilder();
                for (int i = 0; i < s.Length;)
                {
                    int matched = -1;
                    for (int p = 0; p < pairs.Count && matched < 0; p += 2)
                        if (pairs[p].Length > 0 && string.Compare(s, i, pairs[p], 0, pairs[p].Length, comparison) == 0) matched = p;
                    if (matched < 0) { result.Append(s[i++]); continue; }
                    result.Append(pairs[matched + 1]);
                    i += pairs[matched].Length;
                }
                return result.ToString();
            }
            case "match": return GlobMatches(Arg(0), Arg(1), nocase) ? "1" : "0";
            default:
                throw recorder.Unsupported($"string {sub} (the SDK reads length, tolower, toupper, trim, trimleft, trimright, equal, compare, first, last, index, range, repeat, map, match)", line);
        }
    }

    /// <summary>A Tcl index: a number, <c>end</c>, <c>end-N</c>, <c>N+M</c>.</summary>
    private static int TclIndex(string index, int length, int line, ModuleFileRecorder recorder)
    {
        index = index.Trim();
        if (index == "end") return length - 1;
        if (index.StartsWith("end-", StringComparison.Ordinal) && int.TryParse(index[4..], NumberStyles.None, CultureInfo.InvariantCulture, out var back)) return length - 1 - back;
        if (int.TryParse(index, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)) return i;
        throw recorder.Syntax($"bad index \"{index}\": must be an integer?[+-]integer? or end?[+-]integer?", line);
    }

    private static bool GlobMatches(string pattern, string text, bool nocase)
    {
        var regex = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '*') regex.Append(".*");
            else if (c == '?') regex.Append('.');
            else if (c == '\\' && i + 1 < pattern.Length) regex.Append(Regex.Escape(pattern[++i].ToString()));
            else if (c == '[')
            {
                int close = pattern.IndexOf(']', i + 1);
                if (close < 0) { regex.Append("\\["); continue; }
                regex.Append('[').Append(pattern[(i + 1)..close].Replace("\\", "\\\\")).Append(']');
                i = close;
            }
            else regex.Append(Regex.Escape(c.ToString()));
        }
        regex.Append('$');
        return Regex.IsMatch(text, regex.ToString(), (nocase ? RegexOptions.IgnoreCase : RegexOptions.None) | RegexOptions.Singleline | RegexOptions.CultureInvariant,
            TimeSpan.FromSeconds(1));
    }

    public static string List(string command, List<string> args, int line, ModuleFileRecorder recorder)
    {
        List<string> Elements(int i) => TclLists.Split(i < args.Count ? args[i] : throw recorder.Syntax($"{command} needs a list", line), m => recorder.Syntax(m, line));
        switch (command)
        {
            case "list": return TclLists.Join(args);
            case "concat": return string.Join(' ', args.Select(a => a.Trim()).Where(a => a.Length > 0));
            case "llength": return Elements(0).Count.ToString(CultureInfo.InvariantCulture);
            case "lindex":
            {
                var list = Elements(0);
                if (args.Count == 1) return args[0];
                int i = TclIndex(args[1], list.Count, line, recorder);
                return i >= 0 && i < list.Count ? list[i] : "";
            }
            case "lrange":
            {
                var list = Elements(0);
                if (args.Count != 3) throw recorder.Syntax("lrange takes a list, a first and a last index", line);
                int first = Math.Max(TclIndex(args[1], list.Count, line, recorder), 0), last = Math.Min(TclIndex(args[2], list.Count, line, recorder), list.Count - 1);
                return first > last ? "" : TclLists.Join(list.GetRange(first, last - first + 1));
            }
            case "split":
            {
                if (args.Count is 0 or > 2) throw recorder.Syntax("split takes a string and split characters", line);
                var chars = args.Count == 2 ? args[1] : " \t\n\r";
                if (chars.Length == 0) return TclLists.Join(args[0].Select(c => c.ToString()));
                return TclLists.Join(args[0].Split(chars.ToCharArray()));
            }
            default: // join
                if (args.Count is 0 or > 2) throw recorder.Syntax("join takes a list and a separator", line);
                return string.Join(args.Count == 2 ? args[1] : " ", Elements(0));
        }
    }
}
