using System.Text.RegularExpressions;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Architecture;

/// <summary>
/// A killed build's half-written files are swept by name (<c>IO/TempFiles.Prefix</c>): a temporary file named any
/// other way (".tmp-" beside the target, as two writers once did) would outlive every later build. So the engine
/// names temporary files only through TempFile/TempFiles.
/// </summary>
public sealed partial class TemporaryFileNamingTests
{
    [GeneratedRegex(@"""[^""\n]*\.tmp[-.\w]*""|GetTempFileName\(|Path\.GetRandomFileName\(")]
    private static partial Regex OwnTemporaryName();

    [Fact]
    public void The_engine_names_temporary_files_only_through_TempFiles()
    {
        var source = Path.Combine(RepoRoot.Path, "src", "ContainerSdk.Core");
        var offenders = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(l => OwnTemporaryName().IsMatch(l.Text))
            .Select(l => $"{Path.GetRelativePath(source, l.File)}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.True(offenders.Count == 0, "temporary files named outside IO/TempFiles:\n" + string.Join("\n", offenders));
    }
}
