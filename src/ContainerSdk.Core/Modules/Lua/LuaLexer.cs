using System.Globalization;
using System.Text;

namespace ContainerSdk.Core.Modules.Lua;

/// <summary>
/// Splits Lua 5.x source into tokens: names, strings (quoted with escapes, and long brackets <c>[==[ ]==]</c> as
/// EasyBuild writes help texts), numbers and symbols; comments are skipped. A malformed token is a syntax error at
/// its line.
/// </summary>
internal sealed class LuaLexer
{
    private static readonly string[] Symbols =
        { "...", "..", "==", "~=", "<=", ">=", "//", "::", "<<", ">>",
          "+", "-", "*", "/", "%", "^", "#", "&", "~", "|", "<", ">", "=", "(", ")", "{", "}", "[", "]", ";", ":", ",", "." };

    private readonly string _text;
    private readonly Func<string, int, Exception> _syntaxError;
    private int _pos;
    private int _line = 1;

    public LuaLexer(string text, Func<string, int, Exception> syntaxError)
    {
        _text = text;
        _syntaxError = syntaxError;
        // A first line starting with '#' is skipped by Lua itself (a shebang).
        if (_text.StartsWith('#')) while (_pos < _text.Length && _text[_pos] != '\n') _pos++;
    }

    public List<LuaToken> ReadAll()
    {
        var tokens = new List<LuaToken>();
        LuaToken token;
        do tokens.Add(token = Next()); while (token.Kind != LuaTokenKind.End);
        return tokens;
    }

    private LuaToken Next()
    {
        SkipSpaceAndComments();
        if (_pos >= _text.Length) return new(LuaTokenKind.End, "", _line);
        int line = _line;
        char c = _text[_pos];
        if (char.IsAsciiLetter(c) || c == '_')
        {
            int start = _pos;
            while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_')) _pos++;
            return new(LuaTokenKind.Name, _text[start.._pos], line);
        }
        if (char.IsAsciiDigit(c) || (c == '.' && _pos + 1 < _text.Length && char.IsAsciiDigit(_text[_pos + 1])))
            return new(LuaTokenKind.Number, ReadNumber(), line);
        if (c is '"' or '\'') return new(LuaTokenKind.String, ReadQuoted(c), line);
        if (c == '[' && LongBracketLevel() >= 0) return new(LuaTokenKind.String, ReadLong(), line);
        foreach (var symbol in Symbols)
            if (string.CompareOrdinal(_text, _pos, symbol, 0, symbol.Length) == 0)
            {
                _pos += symbol.Length;
                return new(LuaTokenKind.Symbol, symbol, line);
            }
        throw _syntaxError($"unexpected character '{c}'", line);
    }

    private void SkipSpaceAndComments()
    {
        while (_pos < _text.Length)
        {
            char c = _text[_pos];
            if (c == '\n') { _line++; _pos++; }
            else if (char.IsWhiteSpace(c)) _pos++;
            else if (c == '-' && _pos + 1 < _text.Length && _text[_pos + 1] == '-')
            {
                _pos += 2;
                if (_pos < _text.Length && _text[_pos] == '[' && LongBracketLevel() >= 0) { ReadLong(); continue; }
                while (_pos < _text.Length && _text[_pos] != '\n') _pos++;
            }
            else break;
        }
    }

    private string ReadNumber()
    {
        int start = _pos;
        bool hex = _text[_pos] == '0' && _pos + 1 < _text.Length && (_text[_pos + 1] is 'x' or 'X');
        if (hex) _pos += 2;
        while (_pos < _text.Length)
        {
            char c = _text[_pos];
            bool exponent = hex ? c is 'p' or 'P' : c is 'e' or 'E';
            if (exponent && _pos + 1 < _text.Length && _text[_pos + 1] is '+' or '-') _pos += 2;
            else if (char.IsAsciiLetterOrDigit(c) || c == '.') _pos++;
            else break;
        }
        return _text[start.._pos];
    }

    /// <summary>At '[': the level of the long bracket that starts here ("[[" is 0, "[==[" is 2), or -1 when none does.</summary>
    private int LongBracketLevel()
    {
        int p = _pos + 1, level = 0;
        while (p < _text.Length && _text[p] == '=') { p++; level++; }
        return p < _text.Length && _text[p] == '[' ? level : -1;
    }

    private string ReadLong()
    {
        int line = _line;
        int level = LongBracketLevel();
        _pos += level + 2;
        // A newline right after the opening bracket is not part of the string.
        if (_pos < _text.Length && _text[_pos] == '\r') _pos++;
        if (_pos < _text.Length && _text[_pos] == '\n') { _pos++; _line++; }
        var close = "]" + new string('=', level) + "]";
        int end = _text.IndexOf(close, _pos, StringComparison.Ordinal);
        if (end < 0) throw _syntaxError("a long string or comment is not closed", line);
        var value = _text[_pos..end];
        _line += value.Count(ch => ch == '\n');
        _pos = end + close.Length;
        return value;
    }

    private string ReadQuoted(char quote)
    {
        int line = _line;
        var value = new StringBuilder();
        _pos++;
        while (true)
        {
            if (_pos >= _text.Length || _text[_pos] == '\n') throw _syntaxError("a string is not closed on its line", line);
            char c = _text[_pos++];
            if (c == quote) return value.ToString();
            if (c != '\\') { value.Append(c); continue; }
            if (_pos >= _text.Length) throw _syntaxError("a string is not closed", line);
            char e = _text[_pos++];
            switch (e)
            {
                case 'n': value.Append('\n'); break;
                case 't': value.Append('\t'); break;
                case 'r': value.Append('\r'); break;
                case 'a': value.Append('\a'); break;
                case 'b': value.Append('\b'); break;
                case 'f': value.Append('\f'); break;
                case 'v': value.Append('\v'); break;
                case '\\' or '"' or '\'': value.Append(e); break;
                case '\n': value.Append('\n'); _line++; break;
                case 'z':
                    while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) { if (_text[_pos] == '\n') _line++; _pos++; }
                    break;
                case 'x':
                    if (_pos + 2 > _text.Length || !byte.TryParse(_text.AsSpan(_pos, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
                        throw _syntaxError("'\\x' needs two hexadecimal digits", line);
                    value.Append((char)b);
                    _pos += 2;
                    break;
                case 'u':
                    int close = _text.IndexOf('}', _pos);
                    if (_pos >= _text.Length || _text[_pos] != '{' || close < 0
                        || !int.TryParse(_text.AsSpan(_pos + 1, close - _pos - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var cp)
                        || cp > 0x10FFFF)
                        throw _syntaxError("'\\u' needs a code point in braces", line);
                    value.Append(char.ConvertFromUtf32(cp));
                    _pos = close + 1;
                    break;
                default:
                    if (!char.IsAsciiDigit(e)) throw _syntaxError($"invalid escape '\\{e}' in a string", line);
                    int n = e - '0', digits = 1;
                    while (digits < 3 && _pos < _text.Length && char.IsAsciiDigit(_text[_pos])) { n = n * 10 + (_text[_pos++] - '0'); digits++; }
                    if (n > 255) throw _syntaxError("a decimal escape is over 255", line);
                    value.Append((char)n);
                    break;
            }
        }
    }
}
