using System.Globalization;

namespace ContainerSdk.Core.Modules.Tcl;

/// <summary>
/// The part of Tcl's <c>expr</c> that modulefile conditions use: <c>!</c>, <c>&amp;&amp;</c>, <c>||</c>,
/// <c>==</c>, <c>!=</c>, <c>eq</c>, <c>ne</c> and parentheses over operands that are <c>[commands]</c>,
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
        var value = condition.Or();
        condition.SkipSpace();
        if (condition._pos < text.Length) throw unsupported($"the condition '{text.Trim()}' (only !, &&, ||, ==, !=, eq, ne are understood)", line);
        return condition.Truth(value);
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
        var left = Unary();
        while (true)
        {
            if (Accept("==")) left = Same(left, Unary(), numeric: true);
            else if (Accept("!=")) left = !Same(left, Unary(), numeric: true);
            else if (Accept("eq")) left = Same(left, Unary(), numeric: false);
            else if (Accept("ne")) left = !Same(left, Unary(), numeric: false);
            else return left;
        }
    }

    private object Unary()
    {
        if (Accept("!")) return !Truth(Unary());
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
        else while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '.' or '-' or '+')) _pos++;
        if (_pos == start) throw _unsupported($"the condition '{_text.Trim()}' (only !, &&, ||, ==, !=, eq, ne are understood)", _line);
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
