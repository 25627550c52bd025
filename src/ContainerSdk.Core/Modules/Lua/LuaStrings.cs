using System.Globalization;
using System.Text;

namespace ContainerSdk.Core.Modules.Lua;

/// <summary>
/// The functions of Lua's <c>string</c> library that modulefiles and site packages use on names and paths, called
/// as <c>string.upper(s)</c> or <c>s:upper()</c>: upper, lower, len, sub, rep, format (%s, %d, %%). Lua patterns
/// (gsub, match, find) are not read: they are an error at their line.
/// </summary>
internal static class LuaStrings
{
    public static object? Call(string function, List<object?> args, int line, ModuleFileRecorder recorder)
    {
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
            default:
                throw recorder.Unsupported($"string.{function} (of Lua's string functions the SDK reads upper, lower, len, sub, rep and format)", line);
        }
    }

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
