namespace ContainerSdk.Build.Tests.MSBuild;

/// <summary>A metadata name the SDK does not read is a coded warning at the item's line, not silently dropped.</summary>
[Collection(InProcessMSBuild.Name)]
public sealed class MetadataNameTests
{
    [Fact]
    public void A_misspelled_TargetPath_is_CSDK1070_at_the_module_naming_TargetPath_and_the_root()
    {
        using var p = new SdkProject("""
            <ItemGroup>
              <Module Include="data" TargetDir="/opt/data/1.0" />
            </ItemGroup>
            """);
        Directory.CreateDirectory(p.Dir.Combine("data"));
        var outcome = p.Build("Build");
        Assert.True(outcome.Succeeded, outcome.ToString());
        var warning = Assert.Single(outcome.Log.Warnings, w => w.Code == "CSDK1070");
        Assert.Equal(p.ProjectPath, warning.File);
        Assert.Equal(p.LineOf("TargetDir"), warning.LineNumber);
        Assert.Contains("did you mean TargetPath?", warning.Message);
        Assert.Contains("lands at '/'", warning.Message);
    }

    [Fact]
    public void The_old_Remove_and_Exclude_elements_work_with_CSDK1071_naming_the_new_names()
    {
        using var p = new SdkProject("""
            <ItemGroup>
              <Module Include="tool" TargetPath="/opt/tool">
                <Exclude>*.o</Exclude>
                <Remove>/etc/motd</Remove>
              </Module>
              <AclFile Include="site.acl" Rooot="/" />
            </ItemGroup>
            """);
        Directory.CreateDirectory(p.Dir.Combine("tool"));
        File.WriteAllText(p.Dir.Combine("tool", "a.o"), "");
        File.WriteAllText(p.Dir.Combine("site.acl"), "");
        var outcome = p.Build("Build");
        Assert.True(outcome.Succeeded, outcome.ToString());
        var renamed = outcome.Log.Warnings.Where(w => w.Code == "CSDK1071").OrderBy(w => w.Message).ToList();
        Assert.Equal(2, renamed.Count);
        Assert.Contains("ExcludeFiles", renamed[0].Message);
        Assert.Contains("RemovePaths", renamed[1].Message);
        Assert.All(renamed, w => Assert.Equal(p.LineOf("<Module Include=\"tool\""), w.LineNumber));
        var acl = Assert.Single(outcome.Log.Warnings, w => w.Code == "CSDK1070");
        Assert.Equal(p.LineOf("Rooot"), acl.LineNumber);
        Assert.Contains("did you mean Root?", acl.Message);
    }

    [Fact]
    public void Known_names_give_no_warning()
    {
        using var p = new SdkProject("""
            <ItemGroup>
              <Module Include="tool" TargetPath="/opt/tool" Version="1" License="MIT" ExcludeFiles="*.o" />
            </ItemGroup>
            """);
        Directory.CreateDirectory(p.Dir.Combine("tool"));
        var outcome = p.Build("Build");
        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Empty(outcome.Log.Warnings);
    }
}
