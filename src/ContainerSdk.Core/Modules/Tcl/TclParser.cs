using System.Globalization;
using System.Text;

namespace ContainerSdk.Core.Modules.Tcl;

/// <summary>
/// Splits a Tcl script into commands and words following Tcl(n): newlines and semicolons end commands, '#' starts a
/// comment where a command could start, braces quote without substitution, double quotes and bare words substitute
/// <c>$variables</c>, <c>[commands]</c> and backslash escapes. An unbalanced brace, bracket or quote is a syntax
/// error at the line where it opens.
/// </summary>
internal sealed class TclParser
{
    private readonly string _text;
    private readonly Func<string, int, Exception> _syntaxError;
    private int _pos;
    private int _line;

    public TclParser(string text, int firstLine, Func<string, int, Exception> syntaxError)
    {
        _text = text;
        _line = firstLine;
        _syntaxError = syntaxError;
    }

    public static IReadOnlyList<TclCommand> Parse(string text, int firstLine, Func<string, int, Exception> syntaxError)
        => new TclParser(text, firstLine, syntaxError).ParseScript(inBrackets: false, openLine: firstLine);

    private bool AtEnd => _pos >= _text.Length;
    private char Current => _text[_pos];

    private List<TclCommand> ParseScript(bool inBrackets, int openLine)
    {
        var commands = new List<TclCommand>();
        while (true)
        {
            // Between commands: white space, newlines, semicolons and comments.
            while (!AtEnd)
            {
                if (Current == '\n') { _line++; _pos++; }
                else if (Current is ' ' or '\t' or '\r' or ';' or '\f' or '\v') _pos++;
                else if (Current == '\\' && _pos + 1 < _text.Length && _text[_pos + 1] == '\n') { _pos += 2; _line++; }
                else if (Current == '#') SkipComment();
                else break;
            }
            if (AtEnd)
            {
                if (inBrackets) throw _syntaxError("a '[' is not closed", openLine);
                return commands;
            }
            if (inBrackets && Current == ']') { _pos++; return commands; }
            var command = ParseCommand(inBrackets);
            if (command.Words.Count > 0) commands.Add(command);
        }
    }

    private void SkipComment()
    {
        while (!AtEnd && Current != '\n')
        {
            if (Current == '\\' && _pos + 1 < _text.Length && _text[_pos + 1] == '\n') { _pos++; _line++; }
            _pos++;
        }
    }

    private TclCommand ParseCommand(bool inBrackets)
    {
        int line = _line;
        var words = new List<TclWord>();
        while (true)
        {
            while (!AtEnd && (Current is ' ' or '\t' or '\r' or '\f' or '\v'
                              || (Current == '\\' && _pos + 1 < _text.Length && _text[_pos + 1] == '\n')))
            {
                if (Current == '\\') { _pos++; _line++; }
                _pos++;
            }
            if (AtEnd || Current is '\n' or ';' || (inBrackets && Current == ']')) return new TclCommand(words, line);
            words.Add(ParseWord(inBrackets));
        }
    }

    private TclWord ParseWord(bool inBrackets)
    {
        int line = _line;
        if (Current == '{')
        {
            if (string.CompareOrdinal(_text, _pos, "{*}", 0, 3) == 0 && _pos + 3 < _text.Length && !char.IsWhiteSpace(_text[_pos + 3]))
                throw _syntaxError("argument expansion '{*}' is not supported in modulefiles", line);
            var (value, raw) = ReadBraced();
            EnsureWordEnds("close-brace", inBrackets);
            return new TclWord(new[] { new TclText(value) }, true, raw, line);
        }
        if (Current == '"')
        {
            _pos++;
            var parts = ReadSubstituted(stop: c => c == '"', inBrackets: false);
            if (AtEnd) throw _syntaxError("a '\"' is not closed", line);
            _pos++;
            EnsureWordEnds("close-quote", inBrackets);
            return new TclWord(parts, false, "", line);
        }
        var bare = ReadSubstituted(stop: c => c is ' ' or '\t' or '\r' or '\n' or ';' or '\f' or '\v' || (inBrackets && c == ']'), inBrackets);
        return new TclWord(bare, false, "", line);
    }

    private void EnsureWordEnds(string what, bool inBrackets)
    {
        if (!AtEnd && Current is not (' ' or '\t' or '\r' or '\n' or ';' or '\f' or '\v') && !(inBrackets && Current == ']')
            && !(Current == '\\' && _pos + 1 < _text.Length && _text[_pos + 1] == '\n'))
            throw _syntaxError($"extra characters after {what}", _line);
    }

    /// <summary>At '{': the braced text with backslash-newlines folded (its value), and as written (for bodies).</summary>
    private (string Value, string Raw) ReadBraced()
    {
        int openLine = _line;
        int depth = 1;
        int start = ++_pos;
        var value = new StringBuilder();
        while (true)
        {
            if (AtEnd) throw _syntaxError("a '{' is not closed", openLine);
            char c = Current;
            if (c == '\\' && _pos + 1 < _text.Length)
            {
                if (_text[_pos + 1] == '\n')
                {
                    _pos += 2; _line++;
                    while (!AtEnd && Current is ' ' or '\t') _pos++;
                    value.Append(' ');
                    continue;
                }
                value.Append(c).Append(_text[_pos + 1]);
                if (_text[_pos + 1] == '\n') _line++;
                _pos += 2;
                continue;
            }
            if (c == '\n') _line++;
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0)
            {
                var raw = _text[start.._pos];
                _pos++;
                return (value.ToString(), raw);
            }
            value.Append(c);
            _pos++;
        }
    }

    private List<TclPart> ReadSubstituted(Func<char, bool> stop, bool inBrackets)
    {
        var parts = new List<TclPart>();
        var text = new StringBuilder();
        void Flush() { if (text.Length > 0) { parts.Add(new TclText(text.ToString())); text.Clear(); } }
        while (!AtEnd && !stop(Current))
        {
            char c = Current;
            if (c == '\n') _line++;
            if (c == '\\') { text.Append(ReadEscape()); continue; }
            if (c == '[')
            {
                int line = _line;
                _pos++;
                Flush();
                parts.Add(new TclSubstitution(ParseScript(inBrackets: true, openLine: line), line));
                continue;
            }
            if (c == '$' && ReadVariable() is { } variable) { Flush(); parts.Add(variable); continue; }
            text.Append(c);
            _pos++;
        }
        Flush();
        return parts;
    }

    /// <summary>At '$': a variable reference, or null (and '$' taken literally) when no name follows.</summary>
    private TclVariable? ReadVariable()
    {
        int line = _line;
        int p = _pos + 1;
        if (p < _text.Length && _text[p] == '{')
        {
            int close = _text.IndexOf('}', p + 1);
            if (close < 0) throw _syntaxError("a '${' is not closed", line);
            _pos = close + 1;
            return new TclVariable(_text[(p + 1)..close], null, line);
        }
        int start = p;
        while (p < _text.Length && (char.IsAsciiLetterOrDigit(_text[p]) || _text[p] == '_'
                                    || (_text[p] == ':' && p + 1 < _text.Length && _text[p + 1] == ':' && (p += 1) > 0)))
            p++;
        if (p == start) return null;
        var name = _text[start..p];
        _pos = p;
        if (!AtEnd && Current == '(')
        {
            _pos++;
            var index = ReadSubstituted(stop: c => c == ')', inBrackets: false);
            if (AtEnd) throw _syntaxError($"the index of '${name}(' is not closed", line);
            _pos++;
            return new TclVariable(name, new TclWord(index, false, "", line), line);
        }
        return new TclVariable(name, null, line);
    }

    private string ReadEscape()
    {
        _pos++;
        if (AtEnd) return "\\";
        char e = Current;
        _pos++;
        switch (e)
        {
            case 'n': return "\n";
            case 't': return "\t";
            case 'r': return "\r";
            case 'a': return "\a";
            case 'b': return "\b";
            case 'f': return "\f";
            case 'v': return "\v";
            case '\n':
                _line++;
                while (!AtEnd && Current is ' ' or '\t') _pos++;
                return " ";
            case 'x': return Hex(2);
            case 'u': return Hex(4);
            default:
                if (e is >= '0' and <= '7')
                {
                    int n = e - '0', digits = 1;
                    while (digits < 3 && !AtEnd && Current is >= '0' and <= '7') { n = n * 8 + (Current - '0'); _pos++; digits++; }
                    return ((char)(n & 0xFF)).ToString();
                }
                return e.ToString();
        }
    }

    private string Hex(int max)
    {
        int start = _pos;
        while (_pos < _text.Length && _pos - start < max && char.IsAsciiHexDigit(Current)) _pos++;
        if (_pos == start) return _text[start - 1].ToString();
        return ((char)int.Parse(_text.AsSpan(start, _pos - start), NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToString();
    }
}
