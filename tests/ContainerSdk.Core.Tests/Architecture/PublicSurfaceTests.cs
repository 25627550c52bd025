using ContainerSdk.Core.Engine;

namespace ContainerSdk.Core.Tests.Architecture;

/// <summary>
/// The engine has no public API: its types are internal, seen by the tasks, the tests and the benches through
/// InternalsVisibleTo (ARCHITECTURE.md), so there is no surface to keep stable. A type written public (or merged from a
/// branch older than that) fails here instead of quietly becoming one.
/// </summary>
public sealed class PublicSurfaceTests
{
    [Fact]
    public void The_engine_exports_no_type() =>
        Assert.Empty(typeof(ContainerEngine).Assembly.GetExportedTypes().Select(type => type.FullName));
}
