using System.Globalization;

namespace ContainerSdk.Core.Modules.Lua;

/// <summary>Lua's rules for the values a modulefile handles: numbers as Lua writes them, truth, equality.</summary>
internal static class LuaValues
{
    /// <summary>A numeral as Lua reads it: an integer (long) when it has no fraction or exponent, else a float (double).</summary>
    public static object? ParseNumber(string text)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex) ? hex : null;
        if (text.IndexOfAny(new[] { '.', 'e', 'E' }) < 0 && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var integer))
            return integer;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
    }

    /// <summary>The text Lua 5.3+ gives a string or number when concatenated or passed where a string is wanted; null otherwise.</summary>
    public static string? AsString(object? value) => value switch
    {
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d when double.IsFinite(d) && d == Math.Floor(d) && Math.Abs(d) < 1e15 => d.ToString("F0", CultureInfo.InvariantCulture) + ".0",
        double d => d.ToString("G14", CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>A number's value, or a string's that reads as one (Lua's coercion for arithmetic); null otherwise.</summary>
    public static double? AsNumber(object? value) => value switch
    {
        long l => l,
        double d => d,
        string s when ParseNumber(s.Trim()) is { } n => AsNumber(n),
        _ => null,
    };

    /// <summary>Lua 5.3's arithmetic: integers stay integers but for '/', floats otherwise; null when an operand is not a number.</summary>
    public static object? Arithmetic(string op, object? left, object? right)
    {
        if (left is string ls) left = ParseNumber(ls.Trim());
        if (right is string rs) right = ParseNumber(rs.Trim());
        if (left is long a && right is long b)
            switch (op)
            {
                case "+": return a + b;
                case "-": return a - b;
                case "*": return a * b;
                case "//" when b != 0: return (long)Math.Floor((double)a / b);
                case "%" when b != 0: return ((a % b) + b) % b;
            }
        if (AsNumber(left) is not { } x || AsNumber(right) is not { } y) return null;
        return op switch
        {
            "+" => x + y,
            "-" => x - y,
            "*" => x * y,
            "/" => x / y,
            "//" => Math.Floor(x / y),
            _ => x - Math.Floor(x / y) * y,
        };
    }

    public static bool IsTrue(object? value) => value is not (null or false);

    public static new bool Equals(object? a, object? b) => (a, b) switch
    {
        (long x, double y) => x == y,
        (double x, long y) => x == y,
        _ => object.Equals(a, b),
    };

    public static string TypeName(object? value) => value switch
    {
        null => "nil",
        bool => "boolean",
        string => "string",
        long or double => "number",
        LuaTable => "table",
        LuaFunction or LuaBuiltin => "function",
        _ => "value",
    };
}
