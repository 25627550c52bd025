namespace ContainerSdk.Tests;

/// <summary>The checkout under test: the folder holding ContainerSdk.sln, above the test assembly.</summary>
public static class RepoRoot
{
    private static readonly Lazy<string> root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "ContainerSdk.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"No ContainerSdk.sln above {AppContext.BaseDirectory}");
    });

    public static string Path => root.Value;
}
