namespace ContainerSdk.Build.Tests.MSBuild;

/// <summary>
/// A project's PreBuildEvent and PostBuildEvent run as they do in a .NET project (Common.targets' targets, in OutDir):
/// the first before any container step, the second after the image is written.
/// </summary>
[Collection(InProcessMSBuild.Name)]
public sealed class BuildEventTests
{
    [Fact]
    public void The_pre_build_event_runs_before_the_image_step_and_the_post_build_event_after_it()
    {
        // Each event records whether the image's index.json was there when it ran.
        const string record = "if [ -e image/index.json ]; then echo image-written; else echo no-image; fi";
        using var p = new SdkProject($"""
            <PropertyGroup>
              <PreBuildEvent>{record} &gt; "$(MSBuildProjectDirectory)/pre.txt"</PreBuildEvent>
              <PostBuildEvent>{record} &gt; "$(MSBuildProjectDirectory)/post.txt"</PostBuildEvent>
            </PropertyGroup>
            <ItemGroup><Module Include="modules/a" TargetPath="/opt/a" /></ItemGroup>
            """);
        Directory.CreateDirectory(p.Dir.Combine("modules", "a"));
        File.WriteAllText(p.Dir.Combine("modules", "a", "file.txt"), "a\n");

        var build = p.Build("Build");

        Assert.True(build.Succeeded, build.ToString());
        Assert.Equal("no-image\n", File.ReadAllText(p.Dir.Combine("pre.txt")));
        Assert.Equal("image-written\n", File.ReadAllText(p.Dir.Combine("post.txt")));
    }
}
