namespace ContainerSdk.Build.Tests.MSBuild;

/// <summary>User mistakes stop the build with a CSDK code pointing at the project file, never a stack trace.</summary>
[Collection(InProcessMSBuild.Name)]
public sealed class ErrorReportingTests
{
    private static void AssertOneError(BuildOutcome outcome, string code, SdkProject p, params string[] mentions)
    {
        Assert.False(outcome.Succeeded, "the build should have failed");
        var error = Assert.Single(outcome.Log.Errors);
        Assert.Equal(code, error.Code);
        Assert.Equal(p.ProjectPath, error.File);
        foreach (var m in mentions) Assert.Contains(m, error.Message);
        Assert.DoesNotContain("   at ", error.Message);
        Assert.DoesNotContain("Exception", error.Message);
    }

    [Fact]
    public void A_relative_TargetPath_is_CSDK1010_naming_the_module()
    {
        using var p = new SdkProject("""<ItemGroup><Module Include="tool" TargetPath="opt/tool" /></ItemGroup>""");
        Directory.CreateDirectory(p.Dir.Combine("tool"));
        AssertOneError(p.Build("Build"), "CSDK1010", p, "'tool'", "opt/tool");
    }

    [Fact]
    public void A_missing_module_is_CSDK1001_naming_the_item_and_nothing_is_written()
    {
        using var p = new SdkProject("""<ItemGroup><Module Include="modules/nope" TargetPath="/opt/nope" /></ItemGroup>""");
        AssertOneError(p.Build("Build"), "CSDK1001", p, "modules/nope");
        Assert.False(Directory.Exists(p.Dir.Combine("bin", "Debug", "image")));
        Assert.False(File.Exists(p.Dir.Combine("bin", "Debug", "site.tar.gz")));
    }

    [Fact]
    public void A_missing_AclFile_is_CSDK1001_naming_the_item()
    {
        using var p = new SdkProject("""<ItemGroup><Module Include="tool" TargetPath="/opt/tool" /><AclFile Include="acl/site.acl" /></ItemGroup>""");
        Directory.CreateDirectory(p.Dir.Combine("tool"));
        AssertOneError(p.Build("Build"), "CSDK1001", p, "acl/site.acl");
    }

    [Fact]
    public void An_unknown_compression_is_CSDK3005_before_any_layer_work()
    {
        using var p = new SdkProject("""
            <PropertyGroup><ContainerLayerCompression>lz4</ContainerLayerCompression></PropertyGroup>
            <ItemGroup><Module Include="tool" TargetPath="/opt/tool" /></ItemGroup>
            """);
        Directory.CreateDirectory(p.Dir.Combine("tool"));
        var outcome = p.Build("Build");
        AssertOneError(outcome, "CSDK3005", p, "lz4");
        Assert.DoesNotContain("ContainerBuildLayers", outcome.Result.ResultsByTarget.Keys);
    }

    [Theory]
    [InlineData("<ContainerSourceDateEpoch>yesterday</ContainerSourceDateEpoch>", "CSDK3004", "yesterday")]
    [InlineData("<ContainerSourceDateEpoch>-5</ContainerSourceDateEpoch>", "CSDK3004", "-5")]
    [InlineData("<ContainerRepository>Site Image</ContainerRepository>", "CSDK3003", "Site Image")]
    [InlineData("<ContainerPlatform>amd64</ContainerPlatform>", "CSDK3001", "amd64")]
    [InlineData("<ContainerRegistryTimeout>soon</ContainerRegistryTimeout>", "CSDK3001", "soon")]
    [InlineData("<GenerateContainerSquashfs>true</GenerateContainerSquashfs><ContainerSquashfsCompression>lz4</ContainerSquashfsCompression>", "CSDK3001", "lz4")]
    [InlineData("<GenerateContainerSquashfs>true</GenerateContainerSquashfs><ContainerSquashfsAclPolicy>widen</ContainerSquashfsAclPolicy>", "CSDK3001", "widen")]
    public void Bad_properties_are_coded_errors(string property, string code, string mention)
    {
        using var p = new SdkProject($"""
            <PropertyGroup>{property}</PropertyGroup>
            <ItemGroup><Module Include="tool" TargetPath="/opt/tool" /></ItemGroup>
            """);
        Directory.CreateDirectory(p.Dir.Combine("tool"));
        AssertOneError(p.Build("Build"), code, p, mention);
    }

    [Fact]
    public void A_project_without_layers_is_CSDK1015()
    {
        using var p = new SdkProject("");
        AssertOneError(p.Build("Build"), "CSDK1015", p);
    }

    [Fact]
    public void An_item_from_an_import_is_reported_at_the_import_and_its_line()
    {
        using var p = new SdkProject("""
            <ItemGroup><Module Include="tool" TargetPath="/opt/tool" /></ItemGroup>
            <Import Project="site.modules.props" />
            """);
        Directory.CreateDirectory(p.Dir.Combine("tool"));
        var props = p.Dir.Combine("site.modules.props");
        File.WriteAllText(props, "<Project>\n  <ItemGroup>\n\n    <Module Include=\"modules/nope\" TargetPath=\"/opt/nope\" />\n  </ItemGroup>\n</Project>\n");
        var error = Assert.Single(p.Build("Build").Log.Errors);
        Assert.Equal(("CSDK1001", props, 4), (error.Code, error.File, error.LineNumber));
    }

    [Fact]
    public void An_item_from_a_property_is_reported_at_the_element_that_computes_it()
    {
        using var p = new SdkProject("""
            <PropertyGroup><ShellRoot>$(MSBuildProjectDirectory)/shell</ShellRoot></PropertyGroup>
            <ItemGroup>
              <Module Include="tool" TargetPath="/opt/tool" />
              <BaseLayer Include="$(ShellRoot)" TargetPath="/opt/elsewhere" />
            </ItemGroup>
            """);
        Directory.CreateDirectory(p.Dir.Combine("tool"));
        Directory.CreateDirectory(p.Dir.Combine("shell"));
        var error = Assert.Single(p.Build("Build").Log.Errors);
        Assert.Equal(("CSDK1010", p.ProjectPath, p.LineOf("$(ShellRoot)\" TargetPath")), (error.Code, error.File, error.LineNumber));
    }

    [Fact]
    public void Two_computed_candidates_give_the_file_and_no_line_rather_than_a_wrong_one()
    {
        using var p = new SdkProject("""
            <PropertyGroup><A>$(MSBuildProjectDirectory)/a</A><B>$(MSBuildProjectDirectory)/b</B></PropertyGroup>
            <ItemGroup>
              <Module Include="$(A)" TargetPath="/opt/a" />
              <Module Include="$(B)" TargetPath="opt/b" />
            </ItemGroup>
            """);
        Directory.CreateDirectory(p.Dir.Combine("a"));
        Directory.CreateDirectory(p.Dir.Combine("b"));
        var error = Assert.Single(p.Build("Build").Log.Errors);
        Assert.Equal(("CSDK1010", p.ProjectPath, 0), (error.Code, error.File, error.LineNumber));
    }
}
