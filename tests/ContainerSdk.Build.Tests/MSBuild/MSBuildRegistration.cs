using System.Runtime.CompilerServices;
using Microsoft.Build.Locator;

namespace ContainerSdk.Build.Tests.MSBuild;

/// <summary>
/// Points Microsoft.Build at the MSBuild of the installed .NET SDK before any test touches an MSBuild type.
/// A module initializer runs before anything else in this assembly; this method must not itself use MSBuild
/// types, or the JIT would load them from the wrong place first.
/// </summary>
internal static class MSBuildRegistration
{
    [ModuleInitializer]
    internal static void Register()
    {
        if (!MSBuildLocator.IsRegistered) MSBuildLocator.RegisterDefaults();
    }
}

/// <summary>
/// In-process MSBuild tests share one BuildManager and read the process environment (SOURCE_DATE_EPOCH):
/// they run alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InProcessMSBuild
{
    public const string Name = "In-process MSBuild";
}
