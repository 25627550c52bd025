using Microsoft.Build.Framework;

namespace ContainerSdk.Build.Tests.MSBuild;

/// <summary>Issue 4 at the MSBuild level: a build with nothing changed does no layer work and skips the image step.</summary>
[Collection(InProcessMSBuild.Name)]
public sealed class IncrementalBuildTests
{
    [Fact]
    public void A_second_build_with_nothing_changed_reports_layers_unchanged_skips_the_image_step_and_rewrites_no_blob()
    {
        using var p = new SdkProject("""
            <ItemGroup>
              <Module Include="modules/a" TargetPath="/opt/a" />
              <Module Include="modules/b" TargetPath="/opt/b" />
            </ItemGroup>
            """);
        foreach (var m in new[] { "a", "b" })
        {
            Directory.CreateDirectory(p.Dir.Combine("modules", m));
            File.WriteAllText(p.Dir.Combine("modules", m, "file.txt"), $"module {m}\n");
            // Old enough that the stat cache may trust it (files written this very second are hashed again).
            File.SetLastWriteTimeUtc(p.Dir.Combine("modules", m, "file.txt"), DateTime.UtcNow.AddMinutes(-5));
        }
        var first = p.Build("Build");
        Assert.True(first.Succeeded, first.ToString());
        string layout = p.Dir.Combine("bin", "Debug", "image");
        var stamps = Directory.EnumerateFiles(layout, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        var bundleStamp = File.GetLastWriteTimeUtc(p.Dir.Combine("bin", "Debug", "site.tar.gz"));

        var second = p.Build("Build");

        Assert.True(second.Succeeded, second.ToString());
        Assert.Equal(2, second.Log.Messages.Count(m => m.Message!.Contains(": unchanged (sha256:")));
        Assert.Contains(second.Log.Messages.OfType<TargetSkippedEventArgs>(), s => s.TargetName == "_ContainerWriteImageCore");
        Assert.Equal(stamps, Directory.EnumerateFiles(layout, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc));
        Assert.Equal(bundleStamp, File.GetLastWriteTimeUtc(p.Dir.Combine("bin", "Debug", "site.tar.gz")));
        var image = Assert.Single(second.Result.ResultsByTarget["Build"].Items);
        Assert.Equal(Assert.Single(first.Result.ResultsByTarget["Build"].Items).GetMetadata("Digest"), image.GetMetadata("Digest"));

        File.AppendAllText(p.Dir.Combine("modules", "b", "file.txt"), "changed\n");
        var third = p.Build("Build");
        Assert.True(third.Succeeded, third.ToString());
        Assert.Single(third.Log.Messages, m => m.Message!.Contains(": built "));
        Assert.DoesNotContain(third.Log.Messages.OfType<TargetSkippedEventArgs>(), s => s.TargetName == "_ContainerWriteImageCore");
        Assert.NotEqual(image.GetMetadata("Digest"), Assert.Single(third.Result.ResultsByTarget["Build"].Items).GetMetadata("Digest"));
    }

    [Fact]
    public void A_layer_blob_deleted_from_the_layout_is_written_back_by_the_next_build()
    {
        using var p = new SdkProject("""<ItemGroup><Module Include="modules/a" TargetPath="/opt/a" /></ItemGroup>""");
        Directory.CreateDirectory(p.Dir.Combine("modules", "a"));
        File.WriteAllText(p.Dir.Combine("modules", "a", "file.txt"), "module a\n");
        var first = p.Build("Build");
        Assert.True(first.Succeeded, first.ToString());
        string Blob(string digest) => p.Dir.Combine("bin", "Debug", "image", "blobs", "sha256", digest["sha256:".Length..]);
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Blob(Assert.Single(first.Result.ResultsByTarget["Build"].Items).GetMetadata("Digest"))))!;
        string blob = Blob(manifest["layers"]![0]!["digest"]!.GetValue<string>());
        byte[] bytes = File.ReadAllBytes(blob);

        File.Delete(blob);
        var second = p.Build("Build");

        Assert.True(second.Succeeded, second.ToString());
        Assert.DoesNotContain(second.Log.Messages.OfType<TargetSkippedEventArgs>(), s => s.TargetName == "_ContainerWriteImageCore");
        Assert.Equal(bytes, File.ReadAllBytes(blob));
        var third = p.Build("Build");
        Assert.True(third.Succeeded, third.ToString());
        Assert.Contains(third.Log.Messages.OfType<TargetSkippedEventArgs>(), s => s.TargetName == "_ContainerWriteImageCore");
    }

    /// <summary>
    /// Each image setting, changed alone, runs the image step again: the stamp that decides it is written from the same
    /// items the task reads, so none can be left out of it.
    /// </summary>
    [Theory]
    [InlineData("ContainerRepository", "other")]
    [InlineData("ContainerImageTags", "a;b")]
    [InlineData("ContainerUser", "1000")]
    [InlineData("ContainerWorkingDirectory", "/srv")]
    [InlineData("ContainerSourceDateEpoch", "1700000000")]
    [InlineData("ContainerPlatform", "linux/arm64")]
    [InlineData("SampleLabel", "changed")]
    [InlineData("SamplePort", "9090")]
    [InlineData("SampleArg", "--verbose")]
    public void A_changed_image_setting_alone_runs_the_image_step_again(string property, string value)
    {
        using var p = new SdkProject("""
            <PropertyGroup>
              <SampleLabel Condition="'$(SampleLabel)' == ''">first</SampleLabel>
              <SamplePort Condition="'$(SamplePort)' == ''">8080</SamplePort>
              <SampleArg Condition="'$(SampleArg)' == ''">--quiet</SampleArg>
            </PropertyGroup>
            <ItemGroup>
              <Module Include="modules/a" TargetPath="/opt/a" />
              <ContainerLabel Include="site.label" Value="$(SampleLabel)" />
              <ContainerPort Include="$(SamplePort)" />
              <ContainerEntrypoint Include="/bin/tool" />
              <ContainerDefaultArgs Include="$(SampleArg)" />
              <ContainerEnvironmentVariable Include="SITE" Value="1" />
            </ItemGroup>
            """);
        Directory.CreateDirectory(p.Dir.Combine("modules", "a"));
        File.WriteAllText(p.Dir.Combine("modules", "a", "file.txt"), "module a\n");
        var first = p.Build("Build");
        Assert.True(first.Succeeded, first.ToString());

        var second = p.Build(new[] { "Build" }, new Dictionary<string, string> { [property] = value });

        Assert.True(second.Succeeded, second.ToString());
        Assert.DoesNotContain(second.Log.Messages.OfType<TargetSkippedEventArgs>(), s => s.TargetName == "_ContainerWriteImageCore");
        // Repository and tags are in the index, not the manifest: the image item says what changed either way.
        static string Identity(ITaskItem image) => $"{image.GetMetadata("Digest")} {image.GetMetadata("Repository")}:{image.GetMetadata("Tags")}";
        Assert.NotEqual(Identity(Assert.Single(first.Result.ResultsByTarget["Build"].Items)),
            Identity(Assert.Single(second.Result.ResultsByTarget["Build"].Items)));
    }
}
