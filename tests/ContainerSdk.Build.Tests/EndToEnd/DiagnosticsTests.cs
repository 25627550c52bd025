using System.Text.RegularExpressions;

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>User mistakes, as `dotnet build` shows them: a code, the project file and the item's line.</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class DiagnosticsTests(SdkPackage sdk)
{
    [Fact]
    public async Task A_missing_module_is_CSDK1001_at_its_line_in_the_project()
    {
        var project = TestProject.Fresh(sdk, "missing");
        Tree.TextRootfs(project.Path("base"));
        await project.WriteAsync("""
              <ItemGroup>
                <BaseLayer Include="base" />
                <Module Include="modules/not-there" TargetPath="/opt/not-there" />
              </ItemGroup>
            """);
        var line = project.LineOf("modules/not-there");

        var build = project.Build();

        Assert.NotEqual(0, build.ExitCode);
        // MSBuild's canonical format, which IDEs and CI annotate in place: file(line,col): error CODE: message
        // (at normal verbosity the console logger may put a node prefix such as "1>" before it).
        var canonical = new Regex($@"^\s*(?:\d+(?::\d+)?>)?{Regex.Escape(project.ProjectPath)}\((\d+)(?:,(\d+))?\): error CSDK1001: (.*)$",
            RegexOptions.Multiline);
        var match = canonical.Match(build.StdOut);
        Assert.True(match.Success, $"no canonical CSDK1001 error for {project.ProjectPath}:\n{build.StdOut}\n{build.StdErr}");
        Assert.Equal(line, int.Parse(match.Groups[1].Value));
        Assert.Contains("modules/not-there", match.Groups[3].Value);
        Assert.DoesNotContain("   at ", build.StdOut); // a message, never a stack trace
    }
}
