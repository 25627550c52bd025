namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// A user's project folder: a nuget.config that sees the freshly packed SDK alone, and a .containerproj that
/// names it as <c>Sdk="ContainerSdk/0.1.0"</c>, exactly as the README tells users to write it.
/// </summary>
public sealed class TestProject
{
    private readonly SdkPackage sdk;

    public TestProject(SdkPackage sdk, string directory, string name = "site")
    {
        this.sdk = sdk;
        Directory = directory;
        ProjectPath = System.IO.Path.Combine(directory, name + ".containerproj");
        System.IO.Directory.CreateDirectory(directory);
    }

    public string Directory { get; }

    /// <summary>The project's name, and so the default ContainerRepository.</summary>
    public string Name => System.IO.Path.GetFileNameWithoutExtension(ProjectPath);
    public string ProjectPath { get; }

    /// <summary>Where a Debug build puts its outputs (the documented <c>$(OutDir)</c>).</summary>
    public string OutDir => Path("bin", "Debug");

    public string ImageLayout => Path("bin", "Debug", "image");

    public string Path(params string[] parts) => System.IO.Path.Combine(new[] { Directory }.Concat(parts).ToArray());

    /// <summary>Writes the project with <paramref name="body"/> inside <c>&lt;Project&gt;</c>; returns its text.</summary>
    public async Task<string> WriteAsync(string body)
    {
        var feed = await sdk.GetFeedAsync();
        // <clear/>: the SDK package has no dependencies, so the local feed is the only source a build needs.
        File.WriteAllText(Path("nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="containersdk-under-test" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var text = $"<Project Sdk=\"{SdkPackage.Id}/{SdkPackage.Version}\">\n{body.Trim('\n')}\n</Project>\n";
        File.WriteAllText(ProjectPath, text);
        return text;
    }

    /// <summary>NUGET_PACKAGES of this project's builds.</summary>
    public string PackagesFolder => sdk.PackagesFolder;

    public Tools.Result Build(params string[] extraArgs) => Dotnet.Build(ProjectPath, sdk.PackagesFolder, extraArgs);

    /// <summary>1-based number of the first line of the project file that contains <paramref name="text"/>.</summary>
    public int LineOf(string text) => ProjectText.LineOf(ProjectPath, text);
}
