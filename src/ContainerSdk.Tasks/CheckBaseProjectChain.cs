using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Images;

namespace ContainerSdk.Tasks;

/// <summary>
/// One step of the walk over BaseLayer projects that ContainerSdk.ProjectReferences.targets makes before a build.
/// ProjectFullPath is the project whose BaseLayer item names <see cref="Project"/>: a cycle is reported at that item.
/// </summary>
public sealed class CheckBaseProjectChain : ContainerTask
{
    /// <summary>The projects walked so far, the entry project first.</summary>
    public string[] Chain { get; set; } = Array.Empty<string>();

    /// <summary>The project reached now.</summary>
    public string Project { get; set; } = "";

    private protected override void ExecuteCore(IBuildLog log)
    {
        try
        {
            BaseProjectChain.Check(Chain, Project);
        }
        catch (ContainerSdkException e)
        {
            throw e.About("BaseLayer", Path.GetRelativePath(Path.GetDirectoryName(ProjectFile)!, Project));
        }
    }
}
