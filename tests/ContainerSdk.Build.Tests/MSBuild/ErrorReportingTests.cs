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
}
