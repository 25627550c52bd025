using ContainerSdk.Core.Inputs;
namespace ContainerSdk.Build.Tests.MSBuild;

/// <summary>The property table of the .containerproj contract, as an evaluated project sees it.</summary>
[Collection(InProcessMSBuild.Name)]
public sealed class PropertyDefaultsTests
{
    private const string OneModule = """<ItemGroup><Module Include="modules/tool" TargetPath="/opt/tool" /></ItemGroup>""";

    [Fact]
    public void Every_property_of_the_contract_has_its_documented_default()
    {
        using var env = new EnvironmentVariable("SOURCE_DATE_EPOCH", null);
        using var p = new SdkProject(OneModule, projectName: "My.Site");
        var project = p.Evaluate();
        string outDir = project.GetPropertyValue("OutDir");

        Assert.Equal("bin/Debug/", outDir.Replace('\\', '/'));
        Assert.Equal("Debug", project.GetPropertyValue("Configuration"));
        Assert.Equal("my.site", project.GetPropertyValue("ContainerRepository"));
        Assert.Equal(Properties.DefaultTag, project.GetPropertyValue("ContainerImageTag"));
        Assert.Equal("", project.GetPropertyValue("ContainerImageTags"));
        Assert.Equal("", project.GetPropertyValue("ContainerUser"));
        Assert.Equal("", project.GetPropertyValue("ContainerWorkingDirectory"));
        Assert.Equal("0", project.GetPropertyValue("ContainerSourceDateEpoch"));
        Assert.Equal("gzip", project.GetPropertyValue("ContainerLayerCompression"));
        Assert.Equal("default", project.GetPropertyValue("ContainerLayerCompressionLevel"));
        Assert.Equal(Properties.CompressionLevel(""), Properties.CompressionLevel(project.GetPropertyValue("ContainerLayerCompressionLevel")));
        Assert.Equal(Properties.DefaultPlatform, project.GetPropertyValue("ContainerPlatform"));
        Assert.Equal(outDir + "image/", project.GetPropertyValue("ContainerImageLayoutPath"));
        Assert.Equal("", project.GetPropertyValue("ContainerArchiveOutputPath"));
        // No default in the props: blank is the engine's (Properties.DefaultArchiveFormat), stated once.
        Assert.Equal("", project.GetPropertyValue("ContainerArchiveFormat"));
        Assert.Equal(outDir + "my.site.tar.gz", project.GetPropertyValue("ContainerBundleOutputPath"));
        Assert.Equal(outDir + "my.site.acl", project.GetPropertyValue("ContainerBundleAclPath"));
        Assert.Equal("true", project.GetPropertyValue("GenerateContainerBundle"));
        Assert.Equal("true", project.GetPropertyValue("GenerateContainerImageLayout"));
        Assert.Equal(Properties.DefaultModulePath, project.GetPropertyValue("ContainerModulePath"));
        Assert.Equal("", project.GetPropertyValue("ContainerLmodSitePackage"));
        Assert.Null(Properties.LmodSitePackage(project.GetPropertyValue("ContainerLmodSitePackage"), "/"));
        Assert.Equal(Properties.DefaultRegistryTimeout.ToString(), project.GetPropertyValue("ContainerRegistryTimeout"));
        Assert.Equal(Properties.DefaultLayerSplitSize, Properties.LayerSplitSize(project.GetPropertyValue("ContainerLayerSplitSize")));
        Assert.Equal("268435456", project.GetPropertyValue("ContainerLayerSplitSize"));
        Assert.Equal("false", project.GetPropertyValue("GenerateContainerSquashfs"));
        Assert.Equal("true", project.GetPropertyValue("GenerateContainerSbom"));
        Assert.Equal(outDir + "my.site.sqsh", project.GetPropertyValue("ContainerSquashfsOutputPath"));
        // What the props show is what the engine takes for a blank value.
        Assert.Equal(Properties.SquashfsCompression(""), Properties.SquashfsCompression(project.GetPropertyValue("ContainerSquashfsCompression")));
        Assert.Equal("gzip", project.GetPropertyValue("ContainerSquashfsCompression"));
        Assert.Equal(Properties.SquashfsAclPolicy(""), Properties.SquashfsAclPolicy(project.GetPropertyValue("ContainerSquashfsAclPolicy")));
        Assert.Equal("narrow", project.GetPropertyValue("ContainerSquashfsAclPolicy"));
        // No default in the props: blank is the engine's, the image's size, known only once its layers are built.
        Assert.Equal("", project.GetPropertyValue("ContainerCacheMaxSize"));
        Assert.Null(Properties.CacheMaxSize(project.GetPropertyValue("ContainerCacheMaxSize")));
    }

    [Fact]
    public void OutDir_dependent_defaults_follow_the_configuration_and_the_repository()
    {
        using var p = new SdkProject(OneModule + "<PropertyGroup><ContainerRepository>hpc</ContainerRepository></PropertyGroup>");
        var project = p.Evaluate(new Dictionary<string, string> { ["Configuration"] = "Release" });
        Assert.Equal("bin/Release/image/", project.GetPropertyValue("ContainerImageLayoutPath").Replace('\\', '/'));
        Assert.Equal("bin/Release/hpc.tar.gz", project.GetPropertyValue("ContainerBundleOutputPath").Replace('\\', '/'));
        Assert.Equal("bin/Release/hpc.acl", project.GetPropertyValue("ContainerBundleAclPath").Replace('\\', '/'));
    }

    [Fact]
    public void Directory_Build_props_settings_win_over_the_defaults()
    {
        using var p = new SdkProject(OneModule, directoryBuildProps:
            "<PropertyGroup><ContainerLayerCompression>zstd</ContainerLayerCompression><ContainerRepository>shared/name</ContainerRepository></PropertyGroup>");
        var project = p.Evaluate();
        Assert.Equal("zstd", project.GetPropertyValue("ContainerLayerCompression"));
        Assert.Equal("shared/name", project.GetPropertyValue("ContainerRepository"));
    }

    [Fact]
    public void SOURCE_DATE_EPOCH_from_the_environment_is_the_default_epoch_and_the_property_wins_over_it()
    {
        using var env = new EnvironmentVariable("SOURCE_DATE_EPOCH", "1700000000");
        using var p = new SdkProject(OneModule);
        Assert.Equal("1700000000", p.Evaluate().GetPropertyValue("ContainerSourceDateEpoch"));

        using var explicitEpoch = new SdkProject(OneModule + "<PropertyGroup><ContainerSourceDateEpoch>42</ContainerSourceDateEpoch></PropertyGroup>");
        Assert.Equal("42", explicitEpoch.Evaluate().GetPropertyValue("ContainerSourceDateEpoch"));
    }

    [Theory]
    [InlineData("", "", "latest")]
    [InlineData("2026.11", "", "2026.11")]
    [InlineData("2026.11", "a;b", "a;b")]
    [InlineData("", "a;b", "a;b")]
    public void Several_tags_win_over_one(string tag, string tags, string expected)
    {
        string props = (tag.Length > 0 ? $"<ContainerImageTag>{tag}</ContainerImageTag>" : "") + (tags.Length > 0 ? $"<ContainerImageTags>{tags}</ContainerImageTags>" : "");
        using var p = new SdkProject(OneModule + $"<PropertyGroup>{props}</PropertyGroup>");
        Assert.Equal(expected, p.Evaluate().GetPropertyValue("_ContainerImageTags"));
    }

    [Fact]
    public void The_tags_the_tasks_validate_are_ContainerImageTags_when_set()
    {
        // ContainerImageTag is invalid but ContainerImageTags wins: validation passes. The other way round fails.
        using var wins = new SdkProject(OneModule + "<PropertyGroup><ContainerImageTag>bad tag</ContainerImageTag><ContainerImageTags>v1;v2</ContainerImageTags></PropertyGroup>");
        var ok = wins.Build("_ContainerValidate");
        Assert.True(ok.Succeeded, ok.ToString());

        using var loses = new SdkProject(OneModule + "<PropertyGroup><ContainerImageTag>v1</ContainerImageTag><ContainerImageTags>v2;bad tag</ContainerImageTags></PropertyGroup>");
        var failed = loses.Build("_ContainerValidate");
        Assert.False(failed.Succeeded);
        Assert.Equal("CSDK3002", Assert.Single(failed.Log.Errors).Code);
    }
}

/// <summary>Sets (or removes, with null) an environment variable for the duration of a test.</summary>
internal sealed class EnvironmentVariable : IDisposable
{
    private readonly string _name;
    private readonly string? _previous;

    public EnvironmentVariable(string name, string? value)
    {
        _name = name;
        _previous = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    public void Dispose() => Environment.SetEnvironmentVariable(_name, _previous);
}
