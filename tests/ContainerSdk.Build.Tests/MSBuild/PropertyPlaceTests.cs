namespace ContainerSdk.Build.Tests.MSBuild;

/// <summary>An error about a property points where its refused value was set: the project's line, or the command line.</summary>
[Collection(InProcessMSBuild.Name)]
public sealed class PropertyPlaceTests
{
    [Fact]
    public void A_bad_tag_given_on_the_command_line_names_the_command_line_not_the_projects_line()
    {
        using var p = new SdkProject("""
            <PropertyGroup>
              <ContainerImageTag>prod</ContainerImageTag>
            </PropertyGroup>
            <ItemGroup><Module Include="tool" TargetPath="/opt/tool" /></ItemGroup>
            """);
        Directory.CreateDirectory(p.Dir.Combine("tool"));

        var outcome = p.Build(new[] { "Build" }, new Dictionary<string, string> { ["ContainerImageTag"] = "Prod/1" });

        Assert.False(outcome.Succeeded);
        var error = Assert.Single(outcome.Log.Errors);
        Assert.Equal("CSDK3002", error.Code);
        Assert.Equal("MSBUILD", error.File);
        Assert.Equal(0, error.LineNumber);
        Assert.Contains("Prod/1", error.Message);
        Assert.Contains("-p:ContainerImageTag", error.Message);
    }

    [Fact]
    public void A_bad_tag_in_the_project_is_at_its_line()
    {
        using var p = new SdkProject("""
            <PropertyGroup>
              <ContainerImageTag>Prod/1</ContainerImageTag>
            </PropertyGroup>
            <ItemGroup><Module Include="tool" TargetPath="/opt/tool" /></ItemGroup>
            """);
        Directory.CreateDirectory(p.Dir.Combine("tool"));
        var error = Assert.Single(p.Build("Build").Log.Errors);
        Assert.Equal(p.ProjectPath, error.File);
        Assert.Equal(p.LineOf("<ContainerImageTag>"), error.LineNumber);
    }

    [Fact]
    public void A_refused_ContainerImageLayoutPath_is_CSDK4003_at_the_line_that_sets_it()
    {
        using var p = new SdkProject("""
            <PropertyGroup>
              <ContainerImageLayoutPath>notes/</ContainerImageLayoutPath>
            </PropertyGroup>
            <ItemGroup><Module Include="tool" TargetPath="/opt/tool" /></ItemGroup>
            """);
        Directory.CreateDirectory(p.Dir.Combine("tool"));
        Directory.CreateDirectory(p.Dir.Combine("notes"));
        File.WriteAllText(p.Dir.Combine("notes", "todo.txt"), "mine\n");

        var outcome = p.Build("Build");

        Assert.False(outcome.Succeeded);
        var error = Assert.Single(outcome.Log.Errors);
        Assert.Equal("CSDK4003", error.Code);
        Assert.Equal(p.ProjectPath, error.File);
        Assert.Equal(p.LineOf("<ContainerImageLayoutPath>"), error.LineNumber);
        Assert.True(File.Exists(p.Dir.Combine("notes", "todo.txt")));
    }
}
