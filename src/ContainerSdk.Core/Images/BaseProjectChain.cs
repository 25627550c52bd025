using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Images;

/// <summary>
/// Images built on images of the same solution: walking from a project through the projects its BaseLayer items
/// name must never come back to a project already on the way (a project cannot be built on its own image).
/// </summary>
internal static class BaseProjectChain
{
    /// <summary>Throws CSDK1044 naming every project of the cycle when <paramref name="project"/> is already on <paramref name="chain"/>.</summary>
    public static void Check(IReadOnlyList<string> chain, string project)
    {
        int start = chain.ToList().IndexOf(project);
        if (start < 0) return;
        throw new ContainerSdkException(Codes.ProjectCycle,
            $"The BaseLayer projects form a cycle: {string.Join(" -> ", chain.Skip(start).Append(project))}. A project cannot be built on its own image.");
    }
}
