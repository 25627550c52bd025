using Microsoft.Build.Evaluation;
using Microsoft.Build.Execution;
using Microsoft.Build.Framework;
using ContainerSdk.Tests;

namespace ContainerSdk.Build.Tests.MSBuild;

/// <summary>
/// A .containerproj in a temp folder that imports sdk/Sdk/* from this checkout, with the tasks dll built
/// alongside the tests (no dev-mode Exec), evaluated or built in-process.
/// </summary>
public sealed class SdkProject : IDisposable
{
    private static readonly object BuildLock = new();

    public SdkProject(string body, string projectName = "site", string? directoryBuildProps = null)
    {
        Dir = new TempDir("msb");
        if (directoryBuildProps is not null)
            File.WriteAllText(Dir.Combine("Directory.Build.props"), $"<Project>{directoryBuildProps}</Project>");
        ProjectPath = Dir.Combine(projectName + ".containerproj");
        string sdk = Path.Combine(RepositoryRoot, "sdk", "Sdk");
        File.WriteAllText(ProjectPath, $"""
            <Project>
              <Import Project="{sdk}/Sdk.props" />
              <PropertyGroup>
                <ContainerSdkTasksAssembly>{TasksAssembly}</ContainerSdkTasksAssembly>
              </PropertyGroup>
            {body}
              <Import Project="{sdk}/Sdk.targets" />
            </Project>
            """);
    }

    public TempDir Dir { get; }
    public string ProjectPath { get; }

    /// <summary>The tasks dll next to the test assembly (a ProjectReference of this test project).</summary>
    public static string TasksAssembly => Path.Combine(AppContext.BaseDirectory, "ContainerSdk.Tasks.dll");

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "ContainerSdk.sln"))) return dir.FullName;
            throw new InvalidOperationException("ContainerSdk.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The line of the project file on which <paramref name="text"/> appears (1-based).</summary>
    public int LineOf(string text) => ProjectText.LineOf(ProjectPath, text);

    private readonly List<ProjectCollection> _collections = new();

    /// <summary>A fresh evaluation (its own collection: no cached imports or environment between calls).</summary>
    public Project Evaluate(IDictionary<string, string>? globalProperties = null)
    {
        var collection = new ProjectCollection(globalProperties ?? new Dictionary<string, string>());
        _collections.Add(collection);
        return collection.LoadProject(ProjectPath);
    }

    public BuildOutcome Build(params string[] targets) => Build(targets, null);

    public BuildOutcome Build(string[] targets, IDictionary<string, string>? globalProperties)
    {
        var logger = new CapturingLogger();
        lock (BuildLock)
        {
            using var collection = new ProjectCollection(globalProperties ?? new Dictionary<string, string>());
            var parameters = new BuildParameters(collection) { Loggers = new ILogger[] { logger }, DisableInProcNode = false, EnableNodeReuse = false };
            var properties = new Dictionary<string, string?>();
            foreach (var (k, v) in globalProperties ?? new Dictionary<string, string>()) properties[k] = v;
            var request = new BuildRequestData(ProjectPath, properties, null, targets, null);
            var result = BuildManager.DefaultBuildManager.Build(parameters, request);
            return new BuildOutcome(result, logger);
        }
    }

    public void Dispose()
    {
        foreach (var c in _collections) c.Dispose();
        Dir.Dispose();
    }
}

public sealed record BuildOutcome(BuildResult Result, CapturingLogger Log)
{
    public bool Succeeded => Result.OverallResult == BuildResultCode.Success;

    public override string ToString() => string.Join("\n", Log.Errors.Select(e => $"error {e.Code}: {e.Message} ({e.File}:{e.LineNumber})")
        .Concat(Log.Warnings.Select(w => $"warning {w.Code}: {w.Message} ({w.File}:{w.LineNumber})")));
}

/// <summary>Keeps every error, warning and message of a build for assertions.</summary>
public sealed class CapturingLogger : ILogger
{
    public List<BuildErrorEventArgs> Errors { get; } = new();
    public List<BuildWarningEventArgs> Warnings { get; } = new();
    public List<BuildMessageEventArgs> Messages { get; } = new();
    public LoggerVerbosity Verbosity { get; set; } = LoggerVerbosity.Diagnostic;
    public string? Parameters { get; set; }

    public void Initialize(IEventSource eventSource)
    {
        eventSource.ErrorRaised += (_, e) => { lock (Errors) Errors.Add(e); };
        eventSource.WarningRaised += (_, e) => { lock (Warnings) Warnings.Add(e); };
        eventSource.MessageRaised += (_, e) => { lock (Messages) Messages.Add(e); };
    }

    public void Shutdown() { }
}
