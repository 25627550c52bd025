namespace ContainerSdk.Build.Tests.MSBuild;

/// <summary>
/// The extension points a build lab uses without touching projects, named and placed as Microsoft.Build.NoTargets
/// has them: CustomBefore/AfterContainerSdkProps around Sdk.props, CustomBefore/AfterContainerSdkTargets around Sdk.targets.
/// </summary>
[Collection(InProcessMSBuild.Name)]
public sealed class SdkHookTests
{
    [Fact]
    public void Each_hook_is_imported_in_its_place()
    {
        using var p = new SdkProject("""<ItemGroup><Module Include="modules/tool" TargetPath="/opt/tool" /></ItemGroup>""");
        string Hook(string name, string body)
        {
            string path = p.Dir.Combine(name + ".hook");
            File.WriteAllText(path, $"<Project>{body}</Project>");
            return path;
        }
        var properties = new Dictionary<string, string>
        {
            // Before the SDK's defaults: a value set here wins over them.
            ["CustomBeforeContainerSdkProps"] = Hook("before-props", "<PropertyGroup><ContainerImageTag>from-hook</ContainerImageTag><SawCommonProps>$(MSBuildProjectExtensionsPath)</SawCommonProps></PropertyGroup>"),
            // After them: the defaults are there to read.
            ["CustomAfterContainerSdkProps"] = Hook("after-props", "<PropertyGroup><SawRepository>$(ContainerRepository)</SawRepository></PropertyGroup>"),
            // Before Common.targets: OutDir is not derived yet.
            ["CustomBeforeContainerSdkTargets"] = Hook("before-targets", "<PropertyGroup><SawOutDir>$(OutDir)</SawOutDir></PropertyGroup>"),
            // After everything: a target of the SDK can be replaced.
            ["CustomAfterContainerSdkTargets"] = Hook("after-targets", "<PropertyGroup><SawLayout>$(ContainerImageLayoutPath)</SawLayout></PropertyGroup><Target Name=\"CollectSuggestedWorkloads\" Returns=\"hooked\" />"),
        };

        var project = p.Evaluate(properties);

        Assert.Equal("from-hook", project.GetPropertyValue("ContainerImageTag"));
        Assert.Equal("", project.GetPropertyValue("SawCommonProps"));
        Assert.Equal("site", project.GetPropertyValue("SawRepository"));
        Assert.Equal("", project.GetPropertyValue("SawOutDir"));
        Assert.Matches(@"^bin/Debug[/\\]image/$", project.GetPropertyValue("SawLayout"));
        Assert.Equal("hooked", project.Targets["CollectSuggestedWorkloads"].Returns);
        foreach (var hook in properties.Values)
            Assert.Contains(project.Imports, i => i.ImportedProject.FullPath == hook);
    }

    [Fact]
    public void A_hook_named_but_missing_is_skipped()
    {
        using var p = new SdkProject("""<ItemGroup><Module Include="modules/tool" TargetPath="/opt/tool" /></ItemGroup>""");
        var project = p.Evaluate(new Dictionary<string, string> { ["CustomAfterContainerSdkTargets"] = p.Dir.Combine("not-there.targets") });
        Assert.Equal("latest", project.GetPropertyValue("ContainerImageTag"));
    }
}
