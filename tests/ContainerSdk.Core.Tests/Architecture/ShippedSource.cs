using System.Text.RegularExpressions;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Architecture;

/// <summary>The source lines of every project under src/ (the engine and the tasks), for rules about how shipped code is written.</summary>
internal static class ShippedSource
{
    /// <summary>"project/file:line: text" of every line under src/ that matches (comments blanked first when asked).</summary>
    public static List<string> LinesMatching(Regex pattern, bool skipComments = false)
    {
        var source = Path.Combine(RepoRoot.Path, "src");
        var sep = Path.DirectorySeparatorChar;
        return Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{sep}obj{sep}") && !f.Contains($"{sep}bin{sep}"))
            .SelectMany(f =>
            {
                string text = File.ReadAllText(f);
                var lines = text.Split('\n');
                var code = skipComments ? CSharpCode.Blank(text, strings: false).Split('\n') : lines;
                return code.Select((line, i) => (File: f, Line: i + 1, Code: line, Text: lines[i]));
            })
            .Where(l => pattern.IsMatch(l.Code))
            .Select(l => $"{Path.GetRelativePath(source, l.File)}:{l.Line}: {l.Text.Trim()}")
            .ToList();
    }
}
