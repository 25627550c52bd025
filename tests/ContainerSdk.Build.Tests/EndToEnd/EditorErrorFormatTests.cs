using System.Text.RegularExpressions;

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// Errors where editors read them: with -p:GenerateFullPaths=true (what C# Dev Kit passes) every error is
/// <c>ABSOLUTE-PATH(LINE[,COL]): error CSDKnnnn: message</c>, what VS Code's $msCompile problem matcher and Rider's
/// build output parse. One case each: an item, an ACL file, a property.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class EditorErrorFormatTests(SdkPackage sdk)
{
    /// <summary>VS Code's $msCompile pattern, anchored on an absolute path (the console logger may prefix a node number).</summary>
    private static readonly Regex MsCompile = new(
        @"^\s*(?:\d+(?::\d+)?>)?(?<file>/[^\s(][^(]*)\((?<line>\d+)(?:,(?<column>\d+))?\)\s*:\s+(?<severity>error|warning)\s+(?<code>CSDK\d{4})\s*:\s*(?<message>.*)$",
        RegexOptions.Multiline);

    private async Task<(TestProject Project, List<Match> Errors)> BuildAsync(string name, string body, Action<TestProject>? prepare = null)
    {
        var project = new TestProject(sdk, Path.Combine(sdk.Root, name + "-" + Guid.NewGuid().ToString("N")[..8]));
        Tree.TextRootfs(project.Path("base"));
        Tree.FileAt(project.Path("modules", "tool", "README"), "tool\n", "644");
        prepare?.Invoke(project);
        await project.WriteAsync(body);
        var build = project.Build("-p:GenerateFullPaths=true");
        Assert.NotEqual(0, build.ExitCode);
        // Every line that names a CSDK error or warning is in the canonical form.
        var coded = build.StdOut.Split('\n').Where(l => Regex.IsMatch(l, @"\b(error|warning) CSDK\d{4}\b")).ToList();
        Assert.NotEmpty(coded);
        Assert.All(coded, l => Assert.Matches(MsCompile, l));
        return (project, MsCompile.Matches(build.StdOut).Where(m => m.Groups["severity"].Value == "error").ToList());
    }

    /// <summary>One error (the console logger repeats it in the summary), in that file, at that line, with that code.</summary>
    private static void AssertOneError(List<Match> errors, string file, int line, string code)
    {
        var error = Assert.Single(errors.DistinctBy(m => (m.Groups["file"].Value, m.Groups["line"].Value, m.Groups["code"].Value, m.Groups["message"].Value)));
        Assert.Equal((file, line, code), (error.Groups["file"].Value, int.Parse(error.Groups["line"].Value), error.Groups["code"].Value));
    }

    [Fact]
    public async Task An_item_error_points_at_the_item_in_the_project()
    {
        var (project, errors) = await BuildAsync("fmt-item", """
              <ItemGroup>
                <BaseLayer Include="base" />
                <Module Include="modules/tool" TargetPath="relative/path" />
              </ItemGroup>
            """);
        AssertOneError(errors, project.ProjectPath, project.LineOf("modules/tool"), "CSDK1010");
    }

    [Fact]
    public async Task An_acl_file_error_points_at_the_line_of_the_acl_file()
    {
        var (project, errors) = await BuildAsync("fmt-acl", """
              <ItemGroup>
                <BaseLayer Include="base" />
                <Module Include="modules/tool" TargetPath="/opt/tool" />
                <AclFile Include="acl/site.acl" />
              </ItemGroup>
            """, p => Tree.FileAt(p.Path("acl", "site.acl"), "# file: opt/tool\nuser::rwx\ngroup:nosuchgroup:r-x\nmask::r-x\nother::---\n", "644"));
        AssertOneError(errors, project.Path("acl", "site.acl"), 3, "CSDK2002");
    }

    [Fact]
    public async Task A_property_error_points_at_the_property_in_the_project()
    {
        var (project, errors) = await BuildAsync("fmt-property", """
              <PropertyGroup>
                <ContainerImageTag>not a valid tag!</ContainerImageTag>
              </PropertyGroup>
              <ItemGroup>
                <BaseLayer Include="base" />
              </ItemGroup>
            """);
        AssertOneError(errors, project.ProjectPath, project.LineOf("<ContainerImageTag>"), "CSDK3002");
    }
}
