namespace ContainerSdk.Core.Sbom;

/// <summary>What a module's <c>License</c> metadata is, in the form CycloneDX takes it.</summary>
internal enum LicenseForm
{
    /// <summary>One SPDX licence id (CycloneDX <c>license.id</c>).</summary>
    Id,
    /// <summary>A valid SPDX expression that is more than one id (<c>expression</c>): <c>A OR B</c>, <c>A WITH E</c>, <c>A+</c>, <c>LicenseRef-x</c>.</summary>
    Expression,
    /// <summary>Anything else, kept as the site wrote it (<c>license.name</c>): a commercial licence has no SPDX id.</summary>
    Named,
}

/// <summary>A module's licence: its form and its text (an id or expression in SPDX's canonical spelling, else as written).</summary>
internal sealed record LicenseText(LicenseForm Form, string Text);

/// <summary>
/// The SPDX licence expression grammar (SPDX specification 2.3, annex D): ids from the SPDX License List (matched
/// case-insensitively, written as SPDX spells them), an id followed by <c>+</c>, <c>LicenseRef-</c> and
/// <c>DocumentRef-…:LicenseRef-</c> references, <c>WITH</c> an exception id, <c>AND</c>, <c>OR</c> (AND binds
/// tighter) and parentheses. Operators are upper case, as the specification has them: "gpl and mit" is a name.
/// </summary>
internal static class SpdxExpression
{
    public static LicenseText Classify(string license)
    {
        var text = license.Trim();
        var tokens = Tokenize(text);
        if (tokens is null || tokens.Count == 0) return new LicenseText(LicenseForm.Named, text);
        int position = 0;
        var canonical = ParseOr(tokens, ref position);
        if (canonical is null || position != tokens.Count) return new LicenseText(LicenseForm.Named, text);
        bool single = tokens.Count == 1 && SpdxLicenseList.Licenses.ContainsKey(tokens[0]);
        return new LicenseText(single ? LicenseForm.Id : LicenseForm.Expression, canonical);
    }

    /// <summary>Words, parentheses and a trailing <c>+</c> kept on its id; null when a character has no place in an expression.</summary>
    private static List<string>? Tokenize(string text)
    {
        var tokens = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c is '(' or ')') { tokens.Add(c.ToString()); i++; continue; }
            int start = i;
            while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '-' or '.' or ':' or '+')) i++;
            if (i == start) return null;
            tokens.Add(text[start..i]);
        }
        return tokens;
    }

    private static string? ParseOr(List<string> t, ref int p)
    {
        var left = ParseAnd(t, ref p);
        while (left is not null && p < t.Count && t[p] == "OR")
        {
            p++;
            var right = ParseAnd(t, ref p);
            left = right is null ? null : $"{left} OR {right}";
        }
        return left;
    }

    private static string? ParseAnd(List<string> t, ref int p)
    {
        var left = ParseWith(t, ref p);
        while (left is not null && p < t.Count && t[p] == "AND")
        {
            p++;
            var right = ParseWith(t, ref p);
            left = right is null ? null : $"{left} AND {right}";
        }
        return left;
    }

    private static string? ParseWith(List<string> t, ref int p)
    {
        var license = ParsePrimary(t, ref p);
        if (license is null || p >= t.Count || t[p] != "WITH") return license;
        p++;
        if (p >= t.Count || !SpdxLicenseList.Exceptions.TryGetValue(t[p], out var exception)) return null;
        p++;
        return $"{license} WITH {exception}";
    }

    private static string? ParsePrimary(List<string> t, ref int p)
    {
        if (p >= t.Count) return null;
        if (t[p] == "(")
        {
            p++;
            var inner = ParseOr(t, ref p);
            if (inner is null || p >= t.Count || t[p] != ")") return null;
            p++;
            return $"({inner})";
        }
        var word = t[p++];
        if (IsLicenseRef(word)) return word;
        bool orLater = word.EndsWith('+');
        var id = orLater ? word[..^1] : word;
        return SpdxLicenseList.Licenses.TryGetValue(id, out var canonical) ? canonical + (orLater ? "+" : "") : null;
    }

    /// <summary><c>LicenseRef-idstring</c>, or <c>DocumentRef-idstring:LicenseRef-idstring</c>.</summary>
    private static bool IsLicenseRef(string word)
    {
        var parts = word.Split(':');
        return parts.Length switch
        {
            1 => HasIdString(parts[0], "LicenseRef-"),
            2 => HasIdString(parts[0], "DocumentRef-") && HasIdString(parts[1], "LicenseRef-"),
            _ => false,
        };
    }

    private static bool HasIdString(string word, string prefix) =>
        word.StartsWith(prefix, StringComparison.Ordinal) && word.Length > prefix.Length
        && word.AsSpan(prefix.Length).IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.") < 0;
}
