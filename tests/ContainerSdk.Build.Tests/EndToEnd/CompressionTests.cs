namespace ContainerSdk.Tests.EndToEnd;

/// <summary>zstd on both sides: a <c>.tar.zst</c> module (recognised by content) and zstd layers.</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class CompressionTests(SdkPackage sdk)
{
    [Fact]
    public async Task A_zstd_module_gives_zstd_layers_that_tar_reads_and_the_bundle_flattens()
    {
        var tar = Tools.Require("tar");
        Tools.Require("zstd");
        var project = TestProject.Fresh(sdk, "zstd");
        Tree.TextRootfs(project.Path("base"));
        Tree.File(project.Path("inputs"), "app/bin/app", "#!/bin/sh\necho app\n", "755");
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
        // umoci 0.4.7 refuses zstd layers: GNU tar (through the zstd tool) reads each blob instead.
        var layers = ImageTools.Manifest(project.ImageLayout)["layers"]!.AsArray();
        var moduleDigest = layers[1]!["digest"]!.GetValue<string>().Split(':');
        var moduleLayer = Tools.Run(tar, "--zstd", "-tvf", Path.Combine(project.ImageLayout, "blobs", moduleDigest[0], moduleDigest[1]))
            .EnsureSuccess("tar --zstd -tvf layer").StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("-rwxr-xr-x 0/0 ", ImageTools.ListingLine(moduleLayer, "opt/app/bin/app"));

        // The bundle flattens zstd layers like any other.
        var bundle = ImageTools.ListTarball(project.Path("bin", "Debug", project.Name + ".tar.gz"));
        Assert.StartsWith("-rwxr-xr-x 0/0 ", ImageTools.ListingLine(bundle, "opt/app/bin/app"));
    }
}
