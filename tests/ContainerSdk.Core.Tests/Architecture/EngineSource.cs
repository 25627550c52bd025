using System.Text.RegularExpressions;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Architecture;

/// <summary>The engine's source lines, for rules that are about how its code is written.</summary>
internal static class EngineSource
{
    /// <summary>"file:line: text" of every line of src/ContainerSdk.Core that matches (comment lines left out when asked).</summary>
    public static List<string> LinesMatching(Regex pattern, bool skipComments = false)
    {
        var source = Path.Combine(RepoRoot.Path, "src", "ContainerSdk.Core");
        return Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(l => !(skipComments && l.Text.TrimStart().StartsWith("//", StringComparison.Ordinal)) && pattern.IsMatch(l.Text))
            .Select(l => $"{Path.GetRelativePath(source, l.File)}:{l.Line}: {l.Text.Trim()}")
            .ToList();
    }
}
