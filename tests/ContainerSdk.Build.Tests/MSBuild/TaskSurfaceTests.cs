using ContainerSdk.Tasks;
using Microsoft.Build.Framework;

namespace ContainerSdk.Build.Tests.MSBuild;

/// <summary>
/// The tasks assembly's public types are its MSBuild tasks (and their base), which MSBuild needs public; the helpers that
/// speak the engine's internal types are internal like them (ARCHITECTURE.md).
/// </summary>
public sealed class TaskSurfaceTests
{
    [Fact]
    public void The_tasks_assembly_exports_only_tasks() =>
        Assert.Empty(typeof(ContainerTask).Assembly.GetExportedTypes()
            .Where(type => !typeof(ITask).IsAssignableFrom(type)).Select(type => type.FullName));
}
