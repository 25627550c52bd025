namespace ContainerSdk.Build.Tests.MSBuild;

/// <summary>bin/ holds the build's outputs and nothing else (no lock files), and Clean leaves nothing there.</summary>
[Collection(InProcessMSBuild.Name)]
public sealed class OutputFolderTests
{
    [Fact]
    public void The_image_lock_is_under_obj_and_clean_leaves_bin_empty()
    {
        using var p = new SdkProject("""<ItemGroup><Module Include="tool" TargetPath="/opt/tool" /></ItemGroup>""");
        Directory.CreateDirectory(p.Dir.Combine("tool"));
        File.WriteAllText(p.Dir.Combine("tool", "hello"), "hi\n");
        var built = p.Build("Build");
        Assert.True(built.Succeeded, built.ToString());

        string output = p.Dir.Combine("bin", "Debug");
        Assert.Equal(new[] { "image", "site.acl", "site.cdx.json", "site.tar.gz" },
            Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());

        var cleaned = p.Build("Clean");
        Assert.True(cleaned.Succeeded, cleaned.ToString());
        Assert.Empty(Directory.Exists(output) ? Directory.EnumerateFileSystemEntries(output, "*", SearchOption.AllDirectories) : []);
    }
}
