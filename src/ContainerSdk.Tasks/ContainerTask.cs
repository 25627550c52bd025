using ContainerSdk.Core.Diagnostics;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ContainerSdk.Tasks;

/// <summary>
/// What every ContainerSdk task shares: the engine's log goes to MSBuild's logger, and a
/// <see cref="ContainerSdkException"/> becomes one coded error in MSBuild's canonical format (IDEs jump to the
/// file and line). Anything else escaping the engine is a bug: it is reported as CSDK9999 with its stack trace
/// so that the report can be acted upon.
/// </summary>
public abstract class ContainerTask : Microsoft.Build.Utilities.Task
{
    static ContainerTask() => NativeLibraryResolver.EnsureRegistered();

    /// <summary>
    /// The project being built ($(MSBuildProjectFullPath)): where errors about properties and item metadata point.
    /// BuildEngine.ProjectFileOfTaskNode would name the .targets file that holds the task, not the user's project.
    /// </summary>
    public string? ProjectFullPath { get; set; }

    protected string ProjectFile => string.IsNullOrEmpty(ProjectFullPath) ? BuildEngine?.ProjectFileOfTaskNode ?? "" : ProjectFullPath;

    public sealed override bool Execute()
    {
        try
        {
            ExecuteCore(new MSBuildLog(Log, ProjectFile, Locate));
        }
        catch (ContainerSdkException ex)
        {
            LogCoded(ex);
        }
        catch (OperationCanceledException)
        {
            // MSBuild reports the cancellation itself; an extra error would only repeat it.
            return false;
        }
        catch (Exception ex)
        {
            Log.LogError(subcategory: null, errorCode: Codes.InternalError, helpKeyword: null, file: ProjectFile,
                lineNumber: 0, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0,
                message: $"internal error in {GetType().Name} (a bug in ContainerSdk, please report it with this text): {ex}");
        }
        return !Log.HasLoggedErrors;
    }

    private protected abstract void ExecuteCore(IBuildLog log);

    /// <summary>The items the task was given, by item type: an error about one is reported where it is defined.</summary>
    protected virtual IEnumerable<(string Type, ITaskItem Item)> Items => Array.Empty<(string, ITaskItem)>();

    /// <summary>
    /// Runs a check of a property's value: its error points at where the project sets the property (the first of
    /// <paramref name="propertyNames"/> the project sets), so that an IDE jumps there.
    /// </summary>
    protected void AtProperty(Action check, params string[] propertyNames)
    {
        try
        {
            check();
        }
        catch (ContainerSdkException e) when (e.Line == 0 && (e.File is null || e.File == ProjectFile))
        {
            // A global property (-p: on the command line, or a property the building project passes) wins over the
            // project's own definition, whose line would point at a value that is not the one refused. It has no place in
            // a file: it is reported as MSBuild reports its own command-line errors ("MSBUILD : error ..."; an empty file
            // would make MSBuild name the task's line in the targets), and the message says where.
            if (propertyNames.FirstOrDefault(IsGlobalProperty) is { } global)
                throw new ContainerSdkException(e.Code, $"{e.Message} ({global} is a global property: -p:{global}=... on the command line, or set by the project that builds this one.)", CommandLine, 0, 0, e);
            var (line, column) = propertyNames.Select(name => ItemLocator.FindProperty(ProjectFile, name)).FirstOrDefault(p => p.Line > 0);
            throw new ContainerSdkException(e.Code, e.Message, ProjectFile, line, column, e);
        }
    }

    /// <summary>The origin MSBuild gives errors of its command line (MSB1008 and the like): no file, so no line an IDE would jump to.</summary>
    private const string CommandLine = "MSBUILD";

    /// <summary>Whether the project's build was given <paramref name="name"/> as a global property (MSBuild's names ignore case).</summary>
    private bool IsGlobalProperty(string name) =>
        BuildEngine is IBuildEngine6 engine && engine.GetGlobalProperties().Keys.Any(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Where an item this task was given is written: an item from an import at the import, where the user wrote it.</summary>
    private (string File, int Line, int Column) Locate(string? itemType, string itemSpec)
    {
        string file = ProjectFile;
        var item = Items.FirstOrDefault(i => i.Type == itemType && i.Item.ItemSpec == itemSpec).Item;
        // The targets copy some items (BaseLayer); the copy names the file of the original.
        if (item?.GetMetadata("ContainerItemDefinedIn") is { Length: > 0 } original) file = original;
        else if (item?.GetMetadata("DefiningProjectFullPath") is { Length: > 0 } defining) file = defining;
        var (line, column) = ItemLocator.Find(file, itemType, itemSpec);
        return (file, line, column);
    }

    private void LogCoded(ContainerSdkException ex)
    {
        // ex.Message alone, never ex.ToString(): a user mistake is not a crash.
        string file = ex.File ?? ProjectFile;
        var (line, column) = (ex.Line, ex.Column);
        if (line == 0 && ex.ItemSpec is not null && file == ProjectFile)
            (file, line, column) = Locate(ex.ItemType, ex.ItemSpec);
        // A property or the project as a whole: the project element, so that editors that need a line show it.
        if (line == 0 && ex.ItemSpec is null && file == ProjectFile)
            (line, column) = ItemLocator.FindProject(ProjectFile);
        Log.LogError(subcategory: null, errorCode: ex.Code, helpKeyword: null, file: file,
            lineNumber: line, columnNumber: column, endLineNumber: 0, endColumnNumber: 0, message: ex.Message);
    }
}
