using System.Globalization;

namespace ContainerSdk.Core.Modules.Tcl;

/// <summary>
/// The part of Tcl's <c>expr</c> that modulefile conditions and computations use: <c>!</c>, <c>&amp;&amp;</c>, <c>||</c>,
/// <c>==</c>, <c>!=</c>, <c>eq</c>, <c>ne</c>, <c>&lt;</c>, <c>&gt;</c>, <c>&lt;=</c>, <c>&gt;=</c>, <c>+</c>, <c>-</c>,
/// <c>*</c>, <c>/</c>, <c>%</c> and parentheses over operands that are <c>[commands]</c>,
/// <c>$variables</c>, quoted or braced strings, numbers and booleans. Operands are substituted by the reader
/// (the <c>substitute</c> function <c>Evaluate</c> is given), so an <c>[is-loaded x]</c> means what it means everywhere else in the file.
/// </summary>
internal sealed class TclCondition
{
    private readonly string _text;
    private readonly int _line;
    private readonly Func<TclWord, string> _substitute;
    private readonly Func<string, int, Exception> _syntaxError;
    private readonly Func<string, int, Exception> _unsupported;
    private int _pos;

    private TclCondition(string text, int line, Func<TclWord, string> substitute, Func<string, int, Exception> syntaxError, Func<string, int, Exception> unsupported)
    {
        _text = text;
        _line = line;
        _substitute = substitute;
        _syntaxError = syntaxError;
        _unsupported = unsupported;
    }

    public static bool Evaluate(string text, int line, Func<TclWord, string> substitute,
        Func<string, int, Exception> syntaxError, Func<string, int, Exception> unsupported)
    {
        var condition = new TclCondition(text, line, substitute, syntaxError, unsupported);
        return condition.Truth(condition.Whole());
    }

    /// <summary>Tcl's <c>expr</c>: the value as Tcl writes it (a comparison is 1 or 0).</summary>
    public static string Value(string text, int line, Func<TclWord, string> substitute,
        Func<string, int, Exception> syntaxError, Func<string, int, Exception> unsupported)
        => Text(new TclCondition(text, line, substitute, syntaxError, unsupported).Whole());

    private object Whole()
    {
        var value = Or();
        SkipSpace();
        if (_pos < _text.Length) throw _unsupported($"the expression '{_text.Trim()}' (only !, &&, ||, ==, !=, eq, ne, <, >, <=, >=, +, -, *, /, % are understood)", _line);
        return value;
    }

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
    }

    private bool Accept(string op)
    {
        SkipSpace();
        if (string.CompareOrdinal(_text, _pos, op, 0, op.Length) != 0) return false;
        // "eq" and "ne" are words; "!" must not be the start of "!=".
        if (char.IsAsciiLetter(op[0]) && _pos + op.Length < _text.Length && char.IsAsciiLetterOrDigit(_text[_pos + op.Length])) return false;
        if (op == "!" && _pos + 1 < _text.Length && _text[_pos + 1] == '=') return false;
        _pos += op.Length;
        return true;
    }

    private object Or()
    {
        var left = And();
        while (Accept("||"))
        {
            var right = And();
            left = Truth(left) || Truth(right);
        }
        return left;
    }

    private object And()
    {
        var left = Equality();
        while (Accept("&&"))
        {
            var right = Equality();
            left = Truth(left) && Truth(right);
        }
        return left;
    }

    private object Equality()
    {
        var left = Relational();
        while (true)
        {
            if (Accept("==")) left = Same(left, Relational(), numeric: true);
            else if (Accept("!=")) left = !Same(left, Relational(), numeric: true);
            else if (Accept("eq")) left = Same(left, Relational(), numeric: false);
            else if (Accept("ne")) left = !Same(left, Relational(), numeric: false);
            else return left;
        }
    }

    private object Relational()
    {
        var left = Additive();
        while (true)
        {
            if (Accept("<=")) left = Compare(left, Additive()) <= 0;
            else if (Accept(">=")) left = Compare(left, Additive()) >= 0;
            else if (Accept("<")) left = Compare(left, Additive()) < 0;
            else if (Accept(">")) left = Compare(left, Additive()) > 0;
            else return left;
        }
    }

    private object Additive()
    {
        var left = Multiplicative();
        while (true)
        {
            if (Accept("+")) left = Arithmetic('+', left, Multiplicative());
            else if (Accept("-")) left = Arithmetic('-', left, Multiplicative());
            else return left;
        }
    }

    private object Multiplicative()
    {
        var left = Unary();
        while (true)
        {
            if (Accept("*")) left = Arithmetic('*', left, Unary());
            else if (Accept("/")) left = Arithmetic('/', left, Unary());
            else if (Accept("%")) left = Arithmetic('%', left, Unary());
            else return left;
        }
    }

    /// <summary>Numbers compare as numbers, anything else as strings (Tcl's rule).</summary>
    private static int Compare(object a, object b)
    {
        var x = Text(a);
        var y = Text(b);
        if (double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out var dx)
            && double.TryParse(y, NumberStyles.Float, CultureInfo.InvariantCulture, out var dy))
            return dx.CompareTo(dy);
        return string.CompareOrdinal(x, y);
    }

    /// <summary>Integers stay integers (Tcl's integer division rounds down); a float anywhere makes a float.</summary>
    private object Arithmetic(char op, object a, object b)
    {
        var x = Text(a);
        var y = Text(b);
        if (long.TryParse(x, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var lx)
            && long.TryParse(y, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ly))
        {
            if (op is '/' or '%' && ly == 0) throw _unsupported($"a division by zero in '{_text.Trim()}'", _line);
            long result = op switch
            {
                '+' => lx + ly,
                '-' => lx - ly,
                '*' => lx * ly,
                '/' => (long)Math.Floor((double)lx / ly),
                _ => lx - (long)Math.Floor((double)lx / ly) * ly,
            };
            return result.ToString(CultureInfo.InvariantCulture);
        }
        if (!double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out var dx)
            || !double.TryParse(y, NumberStyles.Float, CultureInfo.InvariantCulture, out var dy) || op == '%')
            throw _unsupported($"'{op}' on '{x}' and '{y}' in '{_text.Trim()}' (arithmetic takes numbers)", _line);
        double value = op switch { '+' => dx + dy, '-' => dx - dy, '*' => dx * dy, _ => dx / dy };
        var written = value.ToString("R", CultureInfo.InvariantCulture);
        return written.Contains('.') || written.Contains('E') || written.Contains("Infinity") || written.Contains("NaN") ? written : written + ".0";
    }

    private object Unary()
    {
        if (Accept("!")) return !Truth(Unary());
        if (Accept("-")) return Arithmetic('-', "0", Unary());
        if (Accept("("))
        {
            var inner = Or();
            if (!Accept(")")) throw _syntaxError($"a '(' is not closed in the condition '{_text.Trim()}'", _line);
            return inner;
        }
        return Operand();
    }

    private string Operand()
    {
        SkipSpace();
        if (_pos >= _text.Length) throw _syntaxError($"the condition '{_text.Trim()}' ends early", _line);
        int start = _pos;
        char c = _text[_pos];
        if (c == '[') SkipBalanced('[', ']');
        else if (c == '{') SkipBalanced('{', '}');
        else if (c == '"')
        {
            _pos++;
            while (_pos < _text.Length && _text[_pos] != '"') _pos += _text[_pos] == '\\' ? 2 : 1;
            _pos++;
        }
        else if (c == '$')
        {
            _pos++;
            if (_pos < _text.Length && _text[_pos] == '{') SkipBalanced('{', '}');
            else
            {
                while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or ':')) _pos++;
                if (_pos < _text.Length && _text[_pos] == '(') SkipBalanced('(', ')');
            }
        }
        else while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '.')) _pos++;
        if (_pos == start) throw _unsupported($"the expression '{_text.Trim()}' (only !, &&, ||, ==, !=, eq, ne, <, >, <=, >=, +, -, *, /, % are understood)", _line);
        _pos = Math.Min(_pos, _text.Length);
        var commands = TclParser.Parse(_text[start.._pos], _line, _syntaxError);
        if (commands is not [{ Words: [var word] }]) throw _unsupported($"the operand '{_text[start.._pos]}'", _line);
        return _substitute(word);
    }

    private void SkipBalanced(char open, char close)
    {
        int depth = 0;
        while (_pos < _text.Length)
        {
            char c = _text[_pos++];
            if (c == '\\') { _pos++; continue; }
            if (c == open) depth++;
            else if (c == close && --depth == 0) return;
        }
        throw _syntaxError($"a '{open}' is not closed in the condition '{_text.Trim()}'", _line);
    }

    private static bool Same(object a, object b, bool numeric)
    {
        var x = Text(a);
        var y = Text(b);
        if (numeric && double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out var dx)
                    && double.TryParse(y, NumberStyles.Float, CultureInfo.InvariantCulture, out var dy))
            return dx == dy;
        return x == y;
    }

    private static string Text(object value) => value is bool b ? (b ? "1" : "0") : (string)value;

    private bool Truth(object value)
    {
        if (value is bool b) return b;
        var s = ((string)value).Trim();
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d != 0;
        switch (s.ToLowerInvariant())
        {
            case "true" or "yes" or "on": return true;
            case "false" or "no" or "off": return false;
        }
        throw _unsupported($"the value '{s}' where the condition '{_text.Trim()}' needs a boolean", _line);
    }
}
