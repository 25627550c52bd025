using ContainerSdk.Core.Diagnostics;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ContainerSdk.Tasks;

/// <summary>The engine's <see cref="IBuildLog"/> on top of a task's logger: Info at normal verbosity, Detail at detailed.</summary>
internal sealed class MSBuildLog : IBuildLog
{
    private readonly TaskLoggingHelper _log;
    private readonly string _projectFile;
    private readonly Func<string, string, (string File, int Line, int Column)> _locate;

    /// <param name="locate">Where an item the task was given is written (its file, line and column), as its errors are reported.</param>
    public MSBuildLog(TaskLoggingHelper log, string projectFile, Func<string, string, (string File, int Line, int Column)> locate)
    {
        _log = log;
        _projectFile = projectFile;
        _locate = locate;
    }

    public void Info(string message) => _log.LogMessage(MessageImportance.Normal, "{0}", message);

    public void Detail(string message) => _log.LogMessage(MessageImportance.Low, "{0}", message);

    /// <summary>
    /// High importance: the console logger (CI, a pipe) prints it at dotnet build's default verbosity (minimal). The
    /// terminal logger of MSBuild 18 has no channel for a task's progress on the running target's line (only test runs
    /// feed it) and shows a task's messages only from -v:d, once the project has finished (README: What a build writes).
    /// </summary>
    public void Progress(string message) => _log.LogMessage(MessageImportance.High, "{0}", message);

    /// <summary>A warning without a file of its own is about the project: it points at the project's root element.</summary>
    public void Warning(string code, string message, string? file = null, int line = 0, int column = 0)
    {
        if (file is null && line == 0) (line, column) = ItemLocator.FindProject(_projectFile);
        _log.LogWarning(subcategory: null, warningCode: code, helpKeyword: null, file: file ?? _projectFile,
            lineNumber: line, columnNumber: column, endLineNumber: 0, endColumnNumber: 0, message: message);
    }

    public void WarningAbout(string itemType, string itemSpec, string code, string message)
    {
        var (file, line, column) = _locate(itemType, itemSpec);
        Warning(code, message, file, line, column);
    }
}
