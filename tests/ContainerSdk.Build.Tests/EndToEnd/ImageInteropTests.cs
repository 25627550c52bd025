using System.Text.Json.Nodes;
using ContainerSdk.Tests.Images;

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// `dotnet build` of a project whose BaseLayer is an image made by umoci, writing a docker-archive that podman
/// loads, and an oci-archive, as the README shows.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class ImageInteropTests(SdkPackage sdk)
{
    [Fact]
    public async Task An_umoci_image_base_and_a_docker_archive_output_through_dotnet_build()
    {
        var project = TestProject.Fresh(sdk, "interop");
        var image = UmociBase.Create(project.Path("images"));
        Tree.File(project.Path("modules"), "hello/bin/hello", "#!/bin/sh\necho hello\n", "755");
        await project.WriteAsync($"""
              <PropertyGroup>
                <ContainerRepository>hpc/interop</ContainerRepository>
                <ContainerImageTags>2026.11;latest</ContainerImageTags>
                <ContainerArchiveOutputPath>bin/interop.docker.tar</ContainerArchiveOutputPath>
                <ContainerArchiveFormat>docker</ContainerArchiveFormat>
              </PropertyGroup>
              <ItemGroup>
                <BaseLayer Include="images/layout" Reference="{UmociBase.Tag}" />
                <Module Include="modules/hello" TargetPath="/opt/hello" Version="1.0" License="MIT"
                        Environment="PATH=/opt/hello/bin:$PATH" />
              </ItemGroup>
            """);

        var build = project.Build();
        build.EnsureSuccess("dotnet build");
        Assert.Contains("interop.docker.tar", build.StdOut);

        var inspect = ImageTools.SkopeoInspect(project.ImageLayout, "2026.11");
        var env = inspect["Env"]!.AsArray().Select(e => e!.GetValue<string>()).ToList();
        Assert.Contains("FOO=bar", env);
        Assert.Contains("PATH=/opt/hello/bin", env); // the base sets no PATH: "/opt/hello/bin:$PATH" leaves no empty entry
        Assert.Equal("1.0", inspect["Labels"]!["io.containersdk.module.1.version"]!.GetValue<string>());
        var baseLayers = JsonNode.Parse(Tools.Run(Tools.Require("skopeo"), "inspect", $"oci:{image.Layout}:{UmociBase.Tag}").EnsureSuccess("inspect base").StdOut)!["Layers"]!.AsArray();
        Assert.Equal(baseLayers.Select(l => l!.GetValue<string>()), inspect["Layers"]!.AsArray().Take(2).Select(l => l!.GetValue<string>()));

        using var podman = new Podman();
        podman.Run("load", "-i", project.Path("bin", "interop.docker.tar")).EnsureSuccess("podman load");
        var loaded = JsonNode.Parse(podman.Run("image", "inspect", "hpc/interop:2026.11").EnsureSuccess("podman image inspect").StdOut)!.AsArray()[0]!;
        Assert.Contains("localhost/hpc/interop:latest", loaded["RepoTags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(new[] { "/bin/sh" }, loaded["Config"]!["Entrypoint"]!.AsArray().Select(e => e!.GetValue<string>()));

        // A second build with nothing changed leaves the archive alone; a clean rebuild writes the same bytes.
        var archive = project.Path("bin", "interop.docker.tar");
        var before = File.ReadAllBytes(archive);
        var written = File.GetLastWriteTimeUtc(archive);
        project.Build().EnsureSuccess("second dotnet build");
        Assert.Equal(written, File.GetLastWriteTimeUtc(archive));
        project.Build("-t:Rebuild").EnsureSuccess("dotnet build -t:Rebuild");
        Assert.Equal(before, File.ReadAllBytes(archive));
    }

    [Fact]
    public async Task An_unknown_archive_format_is_CSDK3010()
    {
        var project = TestProject.Fresh(sdk, "archfmt");
        Tree.TextRootfs(project.Path("base"));
        await project.WriteAsync("""
              <PropertyGroup>
                <ContainerArchiveOutputPath>bin/x.tar</ContainerArchiveOutputPath>
                <ContainerArchiveFormat>tarball</ContainerArchiveFormat>
              </PropertyGroup>
              <ItemGroup>
                <BaseLayer Include="base" />
              </ItemGroup>
            """);
        var build = project.Build();
        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("error CSDK3010", build.StdOut);
        Assert.Contains("tarball", build.StdOut);
        Assert.False(File.Exists(project.Path("bin", "x.tar")));
        // Checked with the other settings, before any layer work.
        Assert.False(Directory.Exists(project.ImageLayout));
    }
}
