namespace ContainerSdk.Core.Modules.Lua;

/// <summary>
/// Lua 5.3's patterns (the matcher of lstrlib.c: classes <c>%a %d %s %w</c>..., sets, <c>* + - ?</c>, anchors,
/// captures, <c>%b</c>, <c>%f</c>, back references), for <c>string.find</c>, <c>match</c>, <c>gsub</c> and
/// <c>gmatch</c>, which site packages use on module names and paths. Positions are 1-based, as Lua's.
/// </summary>
internal sealed class LuaPatterns
{
    private const int Unfinished = -1;
    private const int Position = -2;
    private const int MaxCaptures = 32;
    private const int MaxDepth = 200;

    private readonly string _src;
    private readonly string _pat;
    private readonly Func<string, Exception> _error;
    private readonly (int Start, int Length)[] _captures = new (int, int)[MaxCaptures];
    private int _level;
    private int _depth;

    private LuaPatterns(string src, string pattern, Func<string, Exception> error)
    {
        _src = src;
        _pat = pattern;
        _error = error;
    }

    private const string Specials = "^$*+?.([%-";

    /// <summary>
    /// <c>string.find</c>: the first match's start and end (1-based, inclusive) and its captures, or null;
    /// <paramref name="plain"/> searches the text as it is.
    /// </summary>
    public static (long Start, long End, List<object?> Captures)? Find(string s, string pattern, long init, bool plain, Func<string, Exception> error)
    {
        int start = Start(s, init);
        if (start > s.Length) return null;
        if (plain || pattern.IndexOfAny(Specials.ToCharArray()) < 0)
        {
            int at = s.IndexOf(pattern, start, StringComparison.Ordinal);
            return at < 0 ? null : (at + 1, at + pattern.Length, new List<object?>());
        }
        var m = new LuaPatterns(s, pattern, error);
        return m.Search(start) is { } found ? (found.Start + 1, found.End, m._level == 0 ? new List<object?>() : m.Captures(found.Start, found.End)) : null;
    }

    /// <summary><c>string.match</c>: the captures (the whole match when there is none), or null.</summary>
    public static List<object?>? Match(string s, string pattern, long init, Func<string, Exception> error)
    {
        int start = Start(s, init);
        if (start > s.Length) return null;
        var m = new LuaPatterns(s, pattern, error);
        return m.Search(start) is { } found ? m.Captures(found.Start, found.End) : null;
    }

    /// <summary><c>string.gmatch</c>: every match's captures (the whole match when there is none).</summary>
    public static List<List<object?>> All(string s, string pattern, Func<string, Exception> error)
    {
        var m = new LuaPatterns(s, pattern, error);
        var result = new List<List<object?>>();
        int lastMatch = -1;
        for (int at = 0; at <= s.Length; at++)
        {
            m._level = 0;
            m._depth = 0;
            if (m.DoMatch(at, 0) is { } end && end != lastMatch)
            {
                result.Add(m.Captures(at, end));
                at = lastMatch = end;
                at--;
            }
        }
        return result;
    }

    /// <summary><c>string.gsub</c>: the text with at most <paramref name="max"/> matches replaced by <paramref name="replace"/>'s answer (null keeps the match).</summary>
    public static (string Text, long Count) Replace(string s, string pattern, Func<string, List<object?>, string?> replace, long max, Func<string, Exception> error)
    {
        var m = new LuaPatterns(s, pattern, error);
        bool anchor = pattern.StartsWith('^');
        int p = anchor ? 1 : 0;
        var result = new System.Text.StringBuilder();
        int at = 0, lastMatch = -1;
        long n = 0;
        while (n < max)
        {
            m._level = 0;
            m._depth = 0;
            if (m.DoMatch(at, p) is { } end && end != lastMatch)
            {
                n++;
                var whole = s[at..end];
                result.Append(replace(whole, m.Captures(at, end)) ?? whole);
                at = lastMatch = end;
            }
            else if (at < s.Length) result.Append(s[at++]);
            else break;
            if (anchor) break;
        }
        return (result.Append(s, at, s.Length - at).ToString(), n);
    }

    /// <summary>A <c>%1</c>...<c>%9</c>, <c>%0</c>, <c>%%</c> replacement string, as gsub expands it.</summary>
    public static string Expand(string replacement, string whole, List<object?> captures, Func<string, Exception> error)
    {
        var result = new System.Text.StringBuilder();
        for (int i = 0; i < replacement.Length; i++)
        {
            char c = replacement[i];
            if (c != '%') { result.Append(c); continue; }
            if (++i >= replacement.Length) throw error("invalid use of '%' in replacement string");
            c = replacement[i];
            if (c == '%') result.Append('%');
            else if (c == '0') result.Append(whole);
            else if (char.IsAsciiDigit(c) && c - '1' < captures.Count) result.Append(LuaValues.AsString(captures[c - '1']));
            else throw error($"invalid capture index %{c} in replacement string");
        }
        return result.ToString();
    }

    private static int Start(string s, long init)
    {
        if (init < 0) init = Math.Max(s.Length + init + 1, 1);
        else if (init == 0) init = 1;
        return (int)Math.Min(init - 1, s.Length + 1L);
    }

    private (int Start, int End)? Search(int start)
    {
        bool anchor = _pat.StartsWith('^');
        int p = anchor ? 1 : 0;
        int at = start;
        do
        {
            _level = 0;
            _depth = 0;
            if (DoMatch(at, p) is { } end) return (at, end);
        } while (at++ < _src.Length && !anchor);
        return null;
    }

    private List<object?> Captures(int start, int end)
    {
        var list = new List<object?>();
        for (int i = 0; i < Math.Max(_level, 1); i++) list.Add(Capture(i, start, end));
        return list;
    }

    private object? Capture(int i, int start, int end)
    {
        if (i >= _level)
        {
            if (i == 0) return _src[start..end];
            throw _error("invalid capture index");
        }
        var (s, length) = _captures[i];
        if (length == Unfinished) throw _error("unfinished capture");
        return length == Position ? (long)s + 1 : _src.Substring(s, length);
    }

    private int? DoMatch(int s, int p)
    {
        if (++_depth > MaxDepth) throw _error("pattern too complex");
        try
        {
            while (true)
            {
                if (p == _pat.Length) return s;
                switch (_pat[p])
                {
                    case '(':
                        return p + 1 < _pat.Length && _pat[p + 1] == ')' ? StartCapture(s, p + 2, Position) : StartCapture(s, p + 1, Unfinished);
                    case ')':
                        return EndCapture(s, p + 1);
                    case '$' when p + 1 == _pat.Length:
                        return s == _src.Length ? s : null;
                    case '%' when p + 1 < _pat.Length && _pat[p + 1] == 'b':
                        if (MatchBalance(s, p + 2) is not { } balanced) return null;
                        s = balanced;
                        p += 4;
                        continue;
                    case '%' when p + 1 < _pat.Length && _pat[p + 1] == 'f':
                    {
                        p += 2;
                        if (p >= _pat.Length || _pat[p] != '[') throw _error("missing '[' after '%f' in pattern");
                        int ep = ClassEnd(p);
                        char previous = s == 0 ? '\0' : _src[s - 1];
                        char current = s < _src.Length ? _src[s] : '\0';
                        if (MatchBracket(previous, p, ep - 1) || !MatchBracket(current, p, ep - 1)) return null;
                        p = ep;
                        continue;
                    }
                    case '%' when p + 1 < _pat.Length && char.IsAsciiDigit(_pat[p + 1]):
                    {
                        int l = _pat[p + 1] - '1';
                        if (l < 0 || l >= _level || _captures[l].Length == Unfinished) throw _error($"invalid capture index %{l + 1}");
                        var captured = _src.Substring(_captures[l].Start, _captures[l].Length);
                        if (_src.Length - s < captured.Length || string.CompareOrdinal(_src, s, captured, 0, captured.Length) != 0) return null;
                        s += captured.Length;
                        p += 2;
                        continue;
                    }
                }
                int end = ClassEnd(p);
                bool matches = s < _src.Length && SingleMatch(_src[s], p, end);
                char op = end < _pat.Length ? _pat[end] : '\0';
                switch (op)
                {
                    case '?':
                        if (matches && DoMatch(s + 1, end + 1) is { } r) return r;
                        p = end + 1;
                        continue;
                    case '+': return matches ? MaxExpand(s + 1, p, end) : null;
                    case '*': return MaxExpand(s, p, end);
                    case '-': return MinExpand(s, p, end);
                    default:
                        if (!matches) return null;
                        s++;
                        p = end;
                        continue;
                }
            }
        }
        finally { _depth--; }
    }

    private int? StartCapture(int s, int p, int what)
    {
        if (_level >= MaxCaptures) throw _error("too many captures");
        _captures[_level] = (s, what);
        _level++;
        var result = DoMatch(s, p);
        if (result is null) _level--;
        return result;
    }

    private int? EndCapture(int s, int p)
    {
        int l = -1;
        for (int i = _level - 1; i >= 0; i--)
            if (_captures[i].Length == Unfinished) { l = i; break; }
        if (l < 0) throw _error("invalid pattern capture");
        _captures[l].Length = s - _captures[l].Start;
        var result = DoMatch(s, p);
        if (result is null) _captures[l].Length = Unfinished;
        return result;
    }

    private int? MatchBalance(int s, int p)
    {
        if (p + 1 >= _pat.Length) throw _error("missing arguments to '%b'");
        if (s >= _src.Length || _src[s] != _pat[p]) return null;
        char open = _pat[p], close = _pat[p + 1];
        int depth = 1;
        while (++s < _src.Length)
        {
            if (_src[s] == close) { if (--depth == 0) return s + 1; }
            else if (_src[s] == open) depth++;
        }
        return null;
    }

    private int? MaxExpand(int s, int p, int ep)
    {
        int i = 0;
        while (s + i < _src.Length && SingleMatch(_src[s + i], p, ep)) i++;
        for (; i >= 0; i--)
            if (DoMatch(s + i, ep + 1) is { } r) return r;
        return null;
    }

    private int? MinExpand(int s, int p, int ep)
    {
        while (true)
        {
            if (DoMatch(s, ep + 1) is { } r) return r;
            if (s < _src.Length && SingleMatch(_src[s], p, ep)) s++;
            else return null;
        }
    }

    private int ClassEnd(int p)
    {
        char c = _pat[p++];
        if (c == '%')
        {
            if (p >= _pat.Length) throw _error("malformed pattern (ends with '%')");
            return p + 1;
        }
        if (c == '[')
        {
            if (p < _pat.Length && _pat[p] == '^') p++;
            do
            {
                if (p >= _pat.Length) throw _error("malformed pattern (missing ']')");
                if (_pat[p++] == '%' && p < _pat.Length) p++;
            } while (p >= _pat.Length || _pat[p] != ']');
            return p + 1;
        }
        return p;
    }

    private bool SingleMatch(char c, int p, int ep) => _pat[p] switch
    {
        '.' => true,
        '%' => MatchClass(c, _pat[p + 1]),
        '[' => MatchBracket(c, p, ep - 1),
        var literal => literal == c,
    };

    private bool MatchBracket(char c, int p, int ec)
    {
        bool sig = true;
        if (_pat[p + 1] == '^') { sig = false; p++; }
        while (++p < ec)
        {
            if (_pat[p] == '%')
            {
                p++;
                if (MatchClass(c, _pat[p])) return sig;
            }
            else if (p + 2 < ec && _pat[p + 1] == '-')
            {
                p += 2;
                if (_pat[p - 2] <= c && c <= _pat[p]) return sig;
            }
            else if (_pat[p] == c) return sig;
        }
        return !sig;
    }

    private static bool MatchClass(char c, char cl)
    {
        bool result;
        switch (char.ToLowerInvariant(cl))
        {
            case 'a': result = char.IsAsciiLetter(c); break;
            case 'c': result = c < 32 || c == 127; break;
            case 'd': result = char.IsAsciiDigit(c); break;
            case 'g': result = c > 32 && c < 127; break;
            case 'l': result = char.IsAsciiLetterLower(c); break;
            case 'p': result = c > 32 && c < 127 && !char.IsAsciiLetterOrDigit(c); break;
            case 's': result = c is ' ' or '\t' or '\n' or '\r' or '\f' or '\v'; break;
            case 'u': result = char.IsAsciiLetterUpper(c); break;
            case 'w': result = char.IsAsciiLetterOrDigit(c); break;
            case 'x': result = char.IsAsciiHexDigit(c); break;
            default: return cl == c;
        }
        return char.IsAsciiLetterUpper(cl) ? !result : result;
    }
}
