namespace ContainerSdk.Build.Tests.MSBuild;

/// <summary>`dotnet build x.containerproj` restores first: for a .containerproj that must be a quiet no-op.</summary>
[Collection(InProcessMSBuild.Name)]
public sealed class RestoreTests
{
    [Fact]
    public void Restore_succeeds_without_warnings_and_writes_no_assets_file()
    {
        using var p = new SdkProject("""<ItemGroup><Module Include="modules/tool" TargetPath="/opt/tool" /></ItemGroup>""");
        var outcome = p.Build(new[] { "Restore" }, new Dictionary<string, string> { ["MSBuildRestoreSessionId"] = Guid.NewGuid().ToString() });
        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Empty(outcome.Log.Warnings);
        Assert.False(File.Exists(p.Dir.Combine("obj", "project.assets.json")));
    }
}
