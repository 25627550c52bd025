using System.Collections;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Tasks;
using Microsoft.Build.Framework;

namespace ContainerSdk.Build.Tests.MSBuild;

/// <summary>The exception mapping every task shares: coded errors without stack traces, bugs with one.</summary>
public sealed class ContainerTaskTests
{
    private sealed class Throwing : ContainerTask
    {
        public Exception? Throw { get; init; }
        public Action<IBuildLog>? Act { get; init; }

        private protected override void ExecuteCore(IBuildLog log)
        {
            Act?.Invoke(log);
            if (Throw is not null) throw Throw;
        }
    }

    [Fact]
    public void A_ContainerSdkException_is_one_error_with_its_code_file_and_position_and_no_stack_trace()
    {
        var engine = new RecordingEngine();
        var task = new Throwing { BuildEngine = engine, ProjectFullPath = "/p/site.containerproj",
            Throw = new ContainerSdkException(Codes.AclSyntax, "site.acl line 3: no colon", "/p/acl/site.acl", 3, 7) };

        Assert.False(task.Execute());
        var error = Assert.Single(engine.Errors);
        Assert.Equal("CSDK2001", error.Code);
        Assert.Equal("/p/acl/site.acl", error.File);
        Assert.Equal(3, error.LineNumber);
        Assert.Equal(7, error.ColumnNumber);
        Assert.Equal("site.acl line 3: no colon", error.Message);
    }

    [Fact]
    public void A_ContainerSdkException_without_a_file_points_at_the_project()
    {
        var engine = new RecordingEngine();
        var task = new Throwing { BuildEngine = engine, ProjectFullPath = "/p/site.containerproj", Throw = new ContainerSdkException(Codes.InvalidTag, "bad tag") };
        Assert.False(task.Execute());
        Assert.Equal("/p/site.containerproj", Assert.Single(engine.Errors).File);
    }

    [Fact]
    public void Any_other_exception_is_CSDK9999_with_its_stack_trace()
    {
        var engine = new RecordingEngine();
        var task = new Throwing { BuildEngine = engine, ProjectFullPath = "/p/site.containerproj", Throw = new InvalidOperationException("boom") };
        Assert.False(task.Execute());
        var error = Assert.Single(engine.Errors);
        Assert.Equal("CSDK9999", error.Code);
        Assert.Contains("internal error", error.Message);
        Assert.Contains("InvalidOperationException: boom", error.Message);
        Assert.Contains("   at ", error.Message); // the stack trace, down to where it was thrown
        Assert.Contains("Throwing.ExecuteCore", error.Message);
    }

    [Fact]
    public void Engine_log_lines_map_to_MSBuild_importance_and_warnings_keep_their_code()
    {
        var engine = new RecordingEngine();
        var task = new Throwing
        {
            BuildEngine = engine,
            ProjectFullPath = "/p/site.containerproj",
            Act = log =>
            {
                log.Info("layer 1/2 modules/a: cached");
                log.Detail("why: unchanged");
                log.Warning(Codes.SocketSkipped, "socket skipped");
                log.Warning(Codes.DuplicateEntry, "dup", "/p/base.tar", 12);
            },
        };
        Assert.True(task.Execute());
        Assert.Contains(engine.Messages, m => m.Message == "layer 1/2 modules/a: cached" && m.Importance == MessageImportance.Normal);
        Assert.Contains(engine.Messages, m => m.Message == "why: unchanged" && m.Importance == MessageImportance.Low);
        Assert.Equal(new[] { ("CSDK5001", "/p/site.containerproj", 0), ("CSDK5003", "/p/base.tar", 12) },
            engine.Warnings.Select(w => (w.Code, w.File, w.LineNumber)));
    }

    private sealed class RecordingEngine : IBuildEngine
    {
        public List<BuildErrorEventArgs> Errors { get; } = new();
        public List<BuildWarningEventArgs> Warnings { get; } = new();
        public List<BuildMessageEventArgs> Messages { get; } = new();
        public bool ContinueOnError => false;
        public int LineNumberOfTaskNode => 0;
        public int ColumnNumberOfTaskNode => 0;
        public string ProjectFileOfTaskNode => "/sdk/ContainerSdk.targets";
        public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e);
        public void LogWarningEvent(BuildWarningEventArgs e) => Warnings.Add(e);
        public void LogMessageEvent(BuildMessageEventArgs e) => Messages.Add(e);
        public void LogCustomEvent(CustomBuildEventArgs e) { }
        public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) => false;
    }
}
