namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// A .containerproj in a solution next to a C# class library, as Rider, VS Code and CI build it: added with
/// `dotnet sln add`, built with `dotnet build` of the solution in both configurations, cleaned, rebuilt, built in
/// parallel, restored.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class SolutionTests(SdkPackage sdk)
{
    /// <summary>The project type GUID ContainerSdk gives .containerproj (Sdk.props, DefaultProjectTypeGuid).</summary>
    private const string ProjectTypeGuid = "24B656DB-F8FF-48BA-AE7A-D1784728D101";

    private static async Task<(SolutionWorkspace Workspace, TestProject Site, string Library)> SiteAndLibraryAsync(SdkPackage sdk, string prefix)
    {
        var workspace = new SolutionWorkspace(sdk, prefix);
        Tree.TextRootfs(workspace.Path("site", "base"));
        Tree.FileAt(workspace.Path("site", "modules", "tool", "bin", "tool"), "#!/bin/sh\necho tool\n", "755");
        var site = await workspace.AddContainerProjectAsync("site", """
              <ItemGroup>
                <BaseLayer Include="base" />
                <Module Include="modules/tool" TargetPath="/opt/tool" />
              </ItemGroup>
            """);
        return (workspace, site, workspace.AddClassLibrary("lib"));
    }

    [Fact]
    public async Task A_sln_with_a_class_library_builds_in_Debug_and_Release_and_cleans()
    {
        var (workspace, site, library) = await SiteAndLibraryAsync(sdk, "sln");
        var solution = workspace.NewSolution("all", "sln", site.ProjectPath, library);
        var text = File.ReadAllText(solution);
        Assert.Contains($"Project(\"{{{ProjectTypeGuid}}}\") = \"site\"", text);
        Assert.Contains(".Release|Any CPU.Build.0 = Release|Any CPU", text);

        var debug = workspace.Dotnet("build", solution);
        debug.EnsureSuccess("dotnet build of the solution (Debug)");
        Assert.Contains(" 0 Warning(s)", debug.StdOut);
        Assert.True(File.Exists(site.Path("bin", "Debug", "image", "index.json")), debug.StdOut);
        Assert.True(File.Exists(workspace.Path("lib", "bin", "Debug", "net10.0", "lib.dll")), debug.StdOut);

        workspace.Dotnet("build", solution, "-c", "Release").EnsureSuccess("dotnet build -c Release of the solution");
        Assert.True(File.Exists(site.Path("bin", "Release", "image", "index.json")));
        Assert.True(File.Exists(site.Path("bin", "Release", "site.tar.gz")));

        workspace.Dotnet("build", solution, "-t:Clean").EnsureSuccess("dotnet build -t:Clean of the solution");
        Assert.False(Directory.Exists(site.Path("bin", "Debug", "image")));
        Assert.False(File.Exists(site.Path("bin", "Debug", "site.tar.gz")));
        Assert.True(File.Exists(site.Path("bin", "Release", "image", "index.json")), "Clean of Debug must leave Release alone");
    }

    [Fact]
    public async Task A_slnx_rebuilds_builds_in_parallel_and_restores_nothing_for_the_image()
    {
        var (workspace, site, library) = await SiteAndLibraryAsync(sdk, "slnx");
        var solution = workspace.NewSolution("all", "slnx", site.ProjectPath, library);
        Assert.Contains(ProjectTypeGuid, File.ReadAllText(solution), StringComparison.OrdinalIgnoreCase);

        var restore = workspace.Dotnet("restore", solution, "-v:n").EnsureSuccess("dotnet restore of the solution");
        Assert.True(File.Exists(workspace.Path("lib", "obj", "project.assets.json")), restore.StdOut);
        Assert.False(File.Exists(site.Path("obj", "project.assets.json")), restore.StdOut);
        Assert.DoesNotContain($"Restored {site.ProjectPath}", restore.StdOut);
        Assert.Contains(" 0 Warning(s)", restore.StdOut);

        workspace.Dotnet("build", solution, "-m", "--no-restore").EnsureSuccess("dotnet build -m of the solution");
        var index = site.Path("bin", "Debug", "image", "index.json");
        var first = File.ReadAllText(index);

        var rebuild = workspace.Dotnet("build", solution, "-t:Rebuild", "-m");
        rebuild.EnsureSuccess("dotnet build -t:Rebuild of the solution");
        // Rebuild cleaned and built again: the same inputs give the same image.
        Assert.Equal(first, File.ReadAllText(index));
        Assert.Contains("(layers: 2 built)", rebuild.StdOut);
    }

    [Fact]
    public async Task Build_of_the_project_alone_runs_no_NuGet_restore()
    {
        var (_, site, _) = await SiteAndLibraryAsync(sdk, "norestore");
        var build = site.Build();
        build.EnsureSuccess("dotnet build of the .containerproj");
        // NuGet's Restore target says this on every project it is asked about; the SDK's Restore has nothing to ask.
        Assert.DoesNotContain("Determining projects to restore", build.StdOut);
        Assert.DoesNotContain("project.assets.json", build.StdOut);
        Assert.False(File.Exists(site.Path("obj", "project.assets.json")));
    }
}
