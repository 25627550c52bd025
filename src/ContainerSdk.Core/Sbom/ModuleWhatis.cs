using System.Text.RegularExpressions;

namespace ContainerSdk.Core.Sbom;

/// <summary>
/// What a modulefile says about its module in <c>whatis</c> lines, where EasyBuild and Spack write it: EasyBuild's
/// Lua <c>whatis([==[Description: …]==])</c>, <c>whatis([==[Homepage: …]==])</c> (Tcl: <c>module-whatis {Homepage: …}</c>),
/// Spack's <c>whatis([[Version : 12.3.0]])</c>, <c>whatis([[Short description : …]])</c> and its Tcl
/// <c>module-whatis {…}</c> (a bare description). Read from the text, never run: a key the file does not write is null.
/// </summary>
internal sealed record ModuleWhatis(string? Name, string? Version, string? Description, string? Homepage)
{
    public static readonly ModuleWhatis None = new(null, null, null, null);

    // Lua: whatis("…"), whatis('…'), whatis([[…]]), whatis([==[…]==]).
    private static readonly Regex LuaWhatis = new(
        @"\bwhatis\s*\(\s*(?:""(?<s>(?:[^""\\\n]|\\.)*)""|'(?<s>(?:[^'\\\n]|\\.)*)'|\[(?<eq>=*)\[(?<s>.*?)\]\k<eq>\])\s*\)",
        RegexOptions.Singleline | RegexOptions.CultureInvariant);

    // Tcl: module-whatis "…", module-whatis {…}, module-whatis word…
    private static readonly Regex TclWhatis = new(
        @"^[ \t]*module-whatis[ \t]+(?:""(?<s>(?:[^""\\]|\\.)*)""|\{(?<s>[^{}]*)\}|(?<s>[^\n]*))",
        RegexOptions.Multiline | RegexOptions.CultureInvariant);

    private static readonly Regex KeyValue = new(@"^\s*(?<k>[A-Za-z][A-Za-z ]{0,30}?)\s*:\s*(?<v>.*)$", RegexOptions.Singleline | RegexOptions.CultureInvariant);

    public static ModuleWhatis Read(string text)
    {
        string? name = null, version = null, description = null, homepage = null, bare = null;
        var lines = LuaWhatis.Matches(text).Concat(TclWhatis.Matches(text)).OrderBy(m => m.Index).Select(m => Clean(m.Groups["s"].Value));
        foreach (var line in lines)
        {
            if (line.Length == 0) continue;
            var kv = KeyValue.Match(line);
            // "https://…" is no key: a colon right after the scheme.
            if (!kv.Success || kv.Groups["v"].Value.StartsWith("//", StringComparison.Ordinal))
            {
                bare ??= line;
                continue;
            }
            string value = kv.Groups["v"].Value.Trim();
            if (value.Length == 0) continue;
            switch (kv.Groups["k"].Value.Trim().ToLowerInvariant())
            {
                case "name": name ??= value; break;
                case "version": version ??= value; break;
                case "description" or "short description": description ??= value; break;
                case "homepage" or "url" or "home page": homepage ??= IsWebAddress(value) ? value : null; break;
            }
        }
        return new ModuleWhatis(name, version, description ?? bare, homepage);
    }

    /// <summary>One line: a description spread over lines (EasyBuild's) joined, spaces collapsed.</summary>
    private static string Clean(string value) => Regex.Replace(value, @"\s+", " ").Trim();

    private static bool IsWebAddress(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && !value.Contains(' ');
}
