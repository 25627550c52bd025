using System.Text;

namespace ContainerSdk.Core.Tests.Architecture;

/// <summary>
/// A small C# lexer for the source rules: it blanks comments and (when asked) the text of string and char literals,
/// keeping every line break, so that prose ("see ContainerSdk.Core.Layers") and text ("docker://host") are never read
/// as code and "file:line" stays true. It knows "...", @"...", $"..." (whose holes are code), """raw""" ($$ too) and '"'.
/// </summary>
internal static class CSharpCode
{
    public static string Blank(string source, bool strings = true)
    {
        var lexer = new Lexer(source, strings);
        lexer.Code(hole: 0);
        return lexer.Output.ToString();
    }

    private sealed class Lexer(string s, bool blankStrings)
    {
        public readonly StringBuilder Output = new(s.Length);
        private int _i;

        private char At(int offset) => _i + offset < s.Length ? s[_i + offset] : '\0';

        private void Keep() => Output.Append(s[_i++]);

        private void Drop() => Output.Append(s[_i++] == '\n' ? '\n' : ' ');

        private void Text() { if (blankStrings) Drop(); else Keep(); }

        /// <summary>Code to the end, or in an interpolation hole (opened by <paramref name="hole"/> braces) to the brace that closes it.</summary>
        public void Code(int hole)
        {
            int depth = 0;
            while (_i < s.Length)
            {
                char c = s[_i];
                if (c == '/' && At(1) == '/') { while (_i < s.Length && s[_i] != '\n') Drop(); continue; }
                if (c == '/' && At(1) == '*')
                {
                    Drop(); Drop();
                    while (_i < s.Length && !(s[_i] == '*' && At(1) == '/')) Drop();
                    if (_i < s.Length) { Drop(); Drop(); }
                    continue;
                }
                if (c == '\'') { CharLiteral(); continue; }
                if (c is '"' or '$' or '@' && StringLiteral()) continue;
                if (hole > 0)
                {
                    if (c is '(' or '[' or '{') depth++;
                    else if (c is ')' or ']') depth--;
                    else if (c == '}' && depth > 0) depth--;
                    else if (c == '}') { for (int k = 0; k < hole && At(0) == '}'; k++) Text(); return; }
                    // At the hole's own level ':' starts the format (a conditional there must be in parentheses).
                    else if (c == ':' && depth == 0 && At(1) != ':' && (_i == 0 || s[_i - 1] != ':'))
                    {
                        while (_i < s.Length && s[_i] != '}') Text();
                        continue;
                    }
                }
                Keep();
            }
        }

        private void CharLiteral()
        {
            Text();
            while (_i < s.Length && s[_i] is not ('\'' or '\n'))
            {
                if (s[_i] == '\\') Text();
                if (_i < s.Length) Text();
            }
            if (_i < s.Length && s[_i] == '\'') Text();
        }

        /// <summary>A literal starting here (after its $ and @ prefixes), or false where '$'/'@' do not start one.</summary>
        private bool StringLiteral()
        {
            int j = _i, dollars = 0;
            bool verbatim = false;
            for (; j < s.Length && s[j] is '$' or '@'; j++)
                if (s[j] == '$') dollars++; else verbatim = true;
            if (j >= s.Length || s[j] != '"') return false;
            int quotes = 0;
            while (j + quotes < s.Length && s[j + quotes] == '"') quotes++;
            while (_i < j) Text();
            if (!verbatim && quotes >= 3) Raw(quotes, dollars);
            else Quoted(verbatim, dollars > 0);
            return true;
        }

        private void Quoted(bool verbatim, bool interpolated)
        {
            Text();
            while (_i < s.Length)
            {
                char c = s[_i];
                if (c == '"' && verbatim && At(1) == '"') { Text(); Text(); continue; }
                if (c == '"') { Text(); return; }
                if (c == '\n' && !verbatim) return;
                if (c == '\\' && !verbatim) { Text(); if (_i < s.Length) Text(); continue; }
                if (interpolated && c is '{' or '}' && At(1) == c) { Text(); Text(); continue; }
                if (interpolated && c == '{') { Text(); Code(hole: 1); continue; }
                Text();
            }
        }

        private void Raw(int quotes, int dollars)
        {
            for (int k = 0; k < quotes; k++) Text();
            while (_i < s.Length)
            {
                int run = 0;
                while (At(run) == '"') run++;
                if (run >= quotes) { for (int k = 0; k < run; k++) Text(); return; }
                if (dollars > 0 && s[_i] == '{')
                {
                    int braces = 0;
                    while (At(braces) == '{') braces++;
                    if (braces >= dollars)
                    {
                        for (int k = 0; k < braces; k++) Text();
                        Code(hole: dollars);
                        continue;
                    }
                }
                Text();
            }
        }
    }
}
