using System.Globalization;
using System.Text;

namespace ContainerSdk.Core.Modules.Lua;

/// <summary>
/// The functions of Lua's <c>string</c> library that modulefiles and site packages use on names and paths, called
/// as <c>string.upper(s)</c> or <c>s:upper()</c>: upper, lower, len, sub, rep, format (%s, %d, %%), and with Lua's
/// patterns (<see cref="LuaPatterns"/>) find, match, gsub and gmatch.
/// </summary>
internal static class LuaStrings
{
    /// <param name="call">Calls a function value (gsub's replacement function) with arguments.</param>
    public static object? Call(string function, List<object?> args, int line, ModuleFileRecorder recorder, Func<object, List<object?>, object?> call)
    {
        Exception PatternError(string message) => recorder.Failure($"string.{function}: {message}", line);
        string Arg(int i) => i < args.Count && LuaValues.AsString(args[i]) is { } s ? s
            : throw recorder.Failure($"bad argument #{i + 1} to 'string.{function}' (string expected, got {LuaValues.TypeName(i < args.Count ? args[i] : null)})", line);
        long Whole(int i, long fallback)
        {
            if (i >= args.Count || args[i] is null) return fallback;
            return LuaValues.AsNumber(args[i]) is { } d && d == Math.Floor(d) ? (long)d
                : throw recorder.Failure($"bad argument #{i + 1} to 'string.{function}' (number has no integer representation)", line);
        }
        switch (function)
        {
            case "upper": return Arg(0).ToUpperInvariant();
            case "lower": return Arg(0).ToLowerInvariant();
            case "len": return (long)Encoding.UTF8.GetByteCount(Arg(0));
            case "rep": return string.Concat(Enumerable.Repeat(Arg(0), (int)Math.Clamp(Whole(1, 0), 0, 10_000)));
            case "sub":
            {
                var s = Arg(0);
                long length = s.Length, i = Whole(1, 1), j = Whole(2, -1);
                if (i < 0) i = Math.Max(length + i + 1, 1); else if (i == 0) i = 1;
                if (j < 0) j = length + j + 1; else if (j > length) j = length;
                return i > j ? "" : s.Substring((int)i - 1, (int)(j - i + 1));
            }
            case "format": return Format(Arg(0), args.Skip(1).ToList(), line, recorder);
            case "find":
                return LuaPatterns.Find(Arg(0), Arg(1), Whole(2, 1), args.Count > 3 && LuaValues.IsTrue(args[3]), PatternError) is { } found
                    ? new LuaMultiple(new object?[] { found.Start, found.End }.Concat(found.Captures).ToList()) : null;
            case "match":
                return LuaPatterns.Match(Arg(0), Arg(1), Whole(2, 1), PatternError) is { } captures
                    ? captures.Count == 1 ? captures[0] : new LuaMultiple(captures) : null;
            case "gmatch":
                return new LuaPairs(LuaPatterns.All(Arg(0), Arg(1), PatternError)
                    .Select(c => (c[0], c.Count > 1 ? c[1] : null)).ToList());
            case "gsub":
            {
                var replacement = args.Count > 2 ? args[2] : null;
                Func<string, List<object?>, string?> replace = replacement switch
                {
                    string or long or double => (whole, captures) => LuaPatterns.Expand(LuaValues.AsString(replacement)!, whole, captures, PatternError),
                    LuaTable table => (whole, captures) => Replacement(captures[0] is string key ? table.Fields.GetValueOrDefault(key) : null),
                    LuaFunction or LuaBuiltin => (whole, captures) => Replacement(call(replacement, captures)),
                    _ => throw recorder.Failure($"bad argument #3 to 'string.gsub' (string/function/table expected, got {LuaValues.TypeName(replacement)})", line),
                };
                var (text, count) = LuaPatterns.Replace(Arg(0), Arg(1), replace, Whole(3, long.MaxValue), PatternError);
                return new LuaMultiple(new object?[] { text, count });
            }
            default:
                throw recorder.Unsupported($"string.{function} (of Lua's string functions the SDK reads upper, lower, len, sub, rep, format, find, match, gmatch and gsub)", line);
        }
    }

    /// <summary>What a gsub replacement table or function gives: false or nil keeps the match.</summary>
    private static string? Replacement(object? value) => value is null or false ? null : LuaValues.AsString(value);

    private static string Format(string format, List<object?> args, int line, ModuleFileRecorder recorder)
    {
        var result = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%') { result.Append(format[i]); continue; }
            if (++i >= format.Length) throw recorder.Failure("invalid conversion '%' to 'format'", line);
            object? Next() => next < args.Count ? args[next++] : throw recorder.Failure("bad argument to 'format' (no value)", line);
            switch (format[i])
            {
                case '%': result.Append('%'); break;
                case 's': result.Append(LuaValues.AsString(Next()) ?? throw recorder.Failure("bad argument to 'format' (string expected)", line)); break;
                case 'd':
                    result.Append(LuaValues.AsNumber(Next()) is { } d && d == Math.Floor(d)
                        ? ((long)d).ToString(CultureInfo.InvariantCulture)
                        : throw recorder.Failure("bad argument to 'format' (number has no integer representation)", line));
                    break;
                default:
                    throw recorder.Unsupported($"the format '%{format[i]}' (string.format is read with %s, %d and %%)", line);
            }
        }
        return result.ToString();
    }
}
