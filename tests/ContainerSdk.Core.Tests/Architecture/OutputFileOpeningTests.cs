using System.Text.RegularExpressions;

namespace ContainerSdk.Core.Tests.Architecture;

/// <summary>
/// Outputs are written to a new temporary file (<c>IO/TempFile.Create</c>: FileMode.CreateNew). FileMode.Create makes
/// .NET truncate the new file, and on ext4 a truncated file is flushed to disk when it is closed: the bundle's close
/// waited up to a second for writeback on a fresh CI runner. So no FileStream of the engine or the tasks is opened with FileMode.Create.
/// </summary>
public sealed partial class OutputFileOpeningTests
{
    [GeneratedRegex(@"FileMode\.Create\b(?!New)")]
    private static partial Regex TruncatingCreate();

    [Fact]
    public void The_engine_and_the_tasks_open_no_file_with_FileMode_Create()
    {
        var offenders = ShippedSource.LinesMatching(TruncatingCreate(), skipComments: true);
        Assert.True(offenders.Count == 0, "files opened with FileMode.Create (use TempFile.Create):\n" + string.Join("\n", offenders));
    }

    // File.Create, File.WriteAll* and a StreamWriter on a path truncate as FileMode.Create does: a temporary file is
    // written through its own Create (or WriteAllBytes/Text/Lines), never by its Path.
    [GeneratedRegex(@"(File\.(Create|WriteAll\w*|Open\w*)|StreamWriter)\(\s*\w+\.Path\b")]
    private static partial Regex TemporaryFileOpenedByPath();

    [Fact]
    public void The_engine_and_the_tasks_write_no_temporary_file_by_its_path()
    {
        var offenders = ShippedSource.LinesMatching(TemporaryFileOpenedByPath(), skipComments: true);
        Assert.True(offenders.Count == 0, "temporary files written by path (use TempFile.Create or its WriteAll methods):\n" + string.Join("\n", offenders));
    }
}
