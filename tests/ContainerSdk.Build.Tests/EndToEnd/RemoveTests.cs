namespace ContainerSdk.Tests.EndToEnd;

/// <summary>A module's <c>RemovePaths</c>: an OCI whiteout in its layer, applied by umoci and in the flattened bundle.</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class RemoveTests(SdkPackage sdk)
{
    [Fact]
    public async Task Removed_paths_are_gone_from_the_unpacked_image_and_the_bundle()
    {
        Tools.RequireRoot("umoci unpack applies the image's owners");
        var project = TestProject.Fresh(sdk, "remove");
        Tree.TextRootfs(project.Path("base"));
        Tree.File(project.Path("base"), "etc/legacy/old.conf", "old\n", "644");
        Tree.File(project.Path("modules"), "cfg/motd", "welcome\n", "644");
        await project.WriteAsync("""
              <PropertyGroup>
                <ContainerRepository>remove</ContainerRepository>
              </PropertyGroup>
              <ItemGroup>
                <BaseLayer Include="base" />
                <Module Include="modules/cfg" TargetPath="/etc" RemovePaths="/etc/os-release;/etc/legacy" />
              </ItemGroup>
            """);

        project.Build().EnsureSuccess($"dotnet build {project.ProjectPath}");

        using var work = new TempDir("remove");
        var bundle = work.Combine("bundle");
        ImageTools.UmociUnpack($"{project.ImageLayout}:latest", bundle);
        var rootfs = Path.Combine(bundle, "rootfs");
        Assert.True(File.Exists(Path.Combine(rootfs, "etc/motd")));
        Assert.True(File.Exists(Path.Combine(rootfs, "etc/passwd")));
        Assert.False(File.Exists(Path.Combine(rootfs, "etc/os-release")));
        Assert.False(Directory.Exists(Path.Combine(rootfs, "etc/legacy")));

        var names = ImageTools.ListTarball(project.Path("bin", "Debug", "remove.tar.gz"))
            .Select(l => ImageTools.EntryName(l).TrimStart('.', '/').TrimEnd('/')).ToList();
        Assert.Contains("etc/motd", names);
        Assert.Contains("etc/passwd", names);
        Assert.DoesNotContain(names, n => n == "etc/os-release" || n.StartsWith("etc/legacy", StringComparison.Ordinal) || n.Contains(".wh."));
    }
}
