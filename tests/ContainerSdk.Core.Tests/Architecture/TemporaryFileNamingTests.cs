using System.Text.RegularExpressions;

namespace ContainerSdk.Core.Tests.Architecture;

/// <summary>
/// A killed build's half-written files are swept by name (<c>IO/TempFiles.Prefix</c>): a temporary file named any
/// other way (".tmp-" beside the target, as two writers once did) would outlive every later build. So the engine and the tasks
/// name temporary files only through TempFile/TempFiles.
/// </summary>
public sealed partial class TemporaryFileNamingTests
{
    [GeneratedRegex(@"""[^""\n]*\.tmp[-.\w]*""|GetTempFileName\(|Path\.GetRandomFileName\(")]
    private static partial Regex OwnTemporaryName();

    [Fact]
    public void The_engine_and_the_tasks_name_temporary_files_only_through_TempFiles()
    {
        var offenders = ShippedSource.LinesMatching(OwnTemporaryName());
        Assert.True(offenders.Count == 0, "temporary files named outside IO/TempFiles:\n" + string.Join("\n", offenders));
    }
}
