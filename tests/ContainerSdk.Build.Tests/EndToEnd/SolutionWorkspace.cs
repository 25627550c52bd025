namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// A folder holding a solution as a user makes one: `dotnet new sln`, projects in subfolders, `dotnet sln add`,
/// and a nuget.config at the top that sees the freshly packed SDK alone (so no build reaches nuget.org).
/// </summary>
public sealed class SolutionWorkspace
{
    private readonly SdkPackage sdk;

    public SolutionWorkspace(SdkPackage sdk, string prefix)
    {
        this.sdk = sdk;
        Root = System.IO.Path.Combine(sdk.Root, prefix + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Path(params string[] parts) => System.IO.Path.Combine(new[] { Root }.Concat(parts).ToArray());

    /// <summary>A .containerproj in its own subfolder, written with <paramref name="body"/>.</summary>
    public async Task<TestProject> AddContainerProjectAsync(string name, string body)
    {
        var project = new TestProject(sdk, Path(name), name);
        await project.WriteAsync(body);
        File.Copy(project.Path("nuget.config"), Path("nuget.config"), overwrite: true);
        return project;
    }

    /// <summary>A C# class library, written by hand (as `dotnet new classlib` would, without the template engine's cost).</summary>
    public string AddClassLibrary(string name)
    {
        Directory.CreateDirectory(Path(name));
        File.WriteAllText(Path(name, name + ".csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path(name, "Class1.cs"), $"namespace {name};\n\npublic static class Class1 {{ public const int Answer = 42; }}\n");
        return Path(name, name + ".csproj");
    }

    /// <summary>`dotnet args...` in the solution folder, with the test run's package cache.</summary>
    public Tools.Result Dotnet(params string[] args) => EndToEnd.Dotnet.Run(args, Root, sdk.PackagesFolder);

    /// <summary>A dotnet CLI command that is no build (`dotnet new`, `dotnet sln`): none of the build options.</summary>
    public Tools.Result Cli(params string[] args) =>
        Tools.Run(EndToEnd.Dotnet.Path, args, Root, EndToEnd.Dotnet.ChildEnvironment(sdk.PackagesFolder), TimeSpan.FromMinutes(5));

    /// <summary>`dotnet new sln` in the given format (sln or slnx) and `dotnet sln add` of every project; returns the solution's path.</summary>
    public string NewSolution(string name, string format, params string[] projects)
    {
        Cli("new", "sln", "-n", name, "--format", format).EnsureSuccess($"dotnet new sln --format {format}");
        var solution = Path($"{name}.{format}");
        var add = Cli(new[] { "sln", solution, "add" }.Concat(projects).ToArray()).EnsureSuccess("dotnet sln add");
        // `dotnet sln add` exits 0 even when it refuses a project: its message is the only sign.
        Assert.DoesNotContain("cannot be added", add.StdOut + add.StdErr);
        return solution;
    }
}
