namespace ContainerSdk.Tests.EndToEnd;

/// <summary>zstd on both sides: a <c>.tar.zst</c> module (recognised by content) and zstd layers, read by umoci.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class CompressionTests(SdkPackage sdk)
{
    [Fact]
    public async Task A_zstd_module_in_an_image_with_zstd_layers_unpacks()
    {
        var tar = Tools.Require("tar");
        Tools.Require("zstd");
        Tools.RequireRoot("umoci unpack applies the image's owners");
        var project = new TestProject(sdk, Path.Combine(sdk.Root, "zstd-" + Guid.NewGuid().ToString("N")[..8]));
        Trees.TextRootfs(project.Path("base"));
        Trees.WriteFile(project.Path("inputs", "app", "bin", "app"), "#!/bin/sh\necho app\n", "755");
        Directory.CreateDirectory(project.Path("modules"));
        Tools.Run(tar, "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner", "--zstd",
            "-C", project.Path("inputs", "app"), "-cf", project.Path("modules", "app.tar.zst"), ".").EnsureSuccess("tar --zstd");
        await project.WriteAsync("""
              <PropertyGroup>
                <ContainerLayerCompression>zstd</ContainerLayerCompression>
              </PropertyGroup>
              <ItemGroup>
                <BaseLayer Include="base" />
                <Module Include="modules/app.tar.zst" TargetPath="/opt/app" />
              </ItemGroup>
            """);

        project.Build().EnsureSuccess($"dotnet build {project.ProjectPath}");

        var image = ImageTools.SkopeoInspect(project.ImageLayout, "latest");
        Assert.Equal(2, image["Layers"]!.AsArray().Count);
        Assert.All(ImageTools.Manifest(project.ImageLayout)["layers"]!.AsArray(),
            l => Assert.Equal("application/vnd.oci.image.layer.v1.tar+zstd", l!["mediaType"]!.GetValue<string>()));
        using var work = new TempDir("zstd");
        ImageTools.UmociUnpack($"{project.ImageLayout}:latest", work.Combine("bundle"));
        Assert.Equal("#!/bin/sh\necho app\n", File.ReadAllText(work.Combine("bundle", "rootfs", "opt", "app", "bin", "app")));
        Assert.Equal("755", FileStat.Of(work.Combine("bundle", "rootfs", "opt", "app", "bin", "app")).Mode);
    }
}
