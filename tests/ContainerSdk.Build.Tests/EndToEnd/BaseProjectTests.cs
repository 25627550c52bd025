using System.Text.Json;
using System.Text.RegularExpressions;

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// Images built on images of the same solution: `&lt;BaseLayer Include="../base/base.containerproj" /&gt;` builds that
/// project first (plain, -m and -graph), and its image is the base, layers byte for byte, its digest in the
/// annotations. Also the one line per project that says what a build made.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class BaseProjectTests(SdkPackage sdk)
{
    private static async Task<(SolutionWorkspace Workspace, string Solution, TestProject Base, TestProject App1, TestProject App2)> BaseAndTwoAppsAsync(SdkPackage sdk)
    {
        var workspace = new SolutionWorkspace(sdk, "bases");
        Tree.TextRootfs(workspace.Path("base", "rootfs"));
        var baseProject = await workspace.AddContainerProjectAsync("base", """
              <PropertyGroup>
                <ContainerImageTag>1.0</ContainerImageTag>
              </PropertyGroup>
              <ItemGroup>
                <BaseLayer Include="rootfs" />
                <ContainerEnvironmentVariable Include="FROM_BASE" Value="yes" />
              </ItemGroup>
            """);
        var apps = new List<TestProject>();
        foreach (var name in new[] { "app1", "app2" })
        {
            Tree.FileAt(workspace.Path(name, "modules", name, "README"), $"{name}\n", "644");
            apps.Add(await workspace.AddContainerProjectAsync(name, $"""
                  <ItemGroup>
                    <BaseLayer Include="../base/base.containerproj" />
                    <Module Include="modules/{name}" TargetPath="/opt/{name}" />
                  </ItemGroup>
                """));
        }
        // The solution lists the images before their base: the order comes from the references, not the file.
        var solution = workspace.NewSolution("images", "slnx", apps[0].ProjectPath, apps[1].ProjectPath, baseProject.ProjectPath);
        return (workspace, solution, baseProject, apps[0], apps[1]);
    }

    private static JsonElement Manifest(string layout)
    {
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout, "index.json")));
        var digest = index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
        return JsonDocument.Parse(File.ReadAllText(Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]))).RootElement.Clone();
    }

    private static string ManifestDigest(string layout)
    {
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout, "index.json")));
        return index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
    }

    private static Regex SummaryLine(TestProject project, string tag) => new(
        $@"^\s*{Regex.Escape(project.Name)} -> {Regex.Escape(project.ImageLayout)}/ {Regex.Escape(project.Name)}:{Regex.Escape(tag)} (sha256:[0-9a-f]{{64}}) \(layers: ([^)]*)\); bundle [^;]*; ACLs [^;]*(?:; [^;]*)*\s*$",
        RegexOptions.Multiline);

    [Fact]
    public async Task A_base_image_project_builds_first_and_its_layers_are_reused_byte_for_byte()
    {
        var (workspace, solution, baseProject, app1, app2) = await BaseAndTwoAppsAsync(sdk);

        // Default verbosity: one line per project says what the build made.
        var build = workspace.Dotnet("build", solution, "-m");
        build.EnsureSuccess("dotnet build -m of a base image and two images on it");
        var baseDigest = ManifestDigest(baseProject.ImageLayout);
        var baseLine = SummaryLine(baseProject, "1.0").Match(build.StdOut);
        Assert.True(baseLine.Success, build.StdOut);
        Assert.Equal(baseDigest, baseLine.Groups[1].Value);
        Assert.Equal("1 built", baseLine.Groups[2].Value);
        // A layer this build wrote has its line at the default verbosity, as it finishes.
        Assert.Contains("Layer 1/1 BaseLayer rootfs: built ", build.StdOut);
        Assert.DoesNotContain("->  (:, )", build.StdOut);

        var baseLayer = Manifest(baseProject.ImageLayout).GetProperty("layers")[0];
        foreach (var app in new[] { app1, app2 })
        {
            var line = SummaryLine(app, "latest").Match(build.StdOut);
            Assert.True(line.Success, build.StdOut);
            Assert.Equal(ManifestDigest(app.ImageLayout), line.Groups[1].Value);
            Assert.Equal("1 built, 1 from the base image", line.Groups[2].Value);

            var manifest = Manifest(app.ImageLayout);
            var layers = manifest.GetProperty("layers");
            Assert.Equal(2, layers.GetArrayLength());
            var digest = baseLayer.GetProperty("digest").GetString()!;
            Assert.Equal(digest, layers[0].GetProperty("digest").GetString());
            var hex = digest["sha256:".Length..];
            Assert.Equal(File.ReadAllBytes(Path.Combine(baseProject.ImageLayout, "blobs", "sha256", hex)),
                File.ReadAllBytes(Path.Combine(app.ImageLayout, "blobs", "sha256", hex)));
            Assert.Equal(baseDigest, manifest.GetProperty("annotations").GetProperty("org.opencontainers.image.base.digest").GetString());

            // The base's config is the starting config.
            var configHex = manifest.GetProperty("config").GetProperty("digest").GetString()!["sha256:".Length..];
            var config = File.ReadAllText(Path.Combine(app.ImageLayout, "blobs", "sha256", configHex));
            Assert.Contains("FROM_BASE=yes", config);
        }

        // A no-op build: the image step is skipped, the line is still there, every layer from the cache or reused.
        var noop = workspace.Dotnet("build", solution, "-graph");
        noop.EnsureSuccess("dotnet build -graph of the solution");
        var again = SummaryLine(app1, "latest").Match(noop.StdOut);
        Assert.True(again.Success, noop.StdOut);
        Assert.Equal("1 unchanged, 1 from the base image", again.Groups[2].Value);
        var baseAgain = SummaryLine(baseProject, "1.0").Match(noop.StdOut);
        Assert.True(baseAgain.Success, noop.StdOut);
        Assert.Equal("1 unchanged", baseAgain.Groups[2].Value);
        Assert.DoesNotContain("Layer 1/", noop.StdOut); // unchanged layers are for -v:n: a no-op prints only its summary

        // -v:n keeps the line per layer.
        var normal = Dotnet.Build(app2.ProjectPath, sdk.PackagesFolder);
        normal.EnsureSuccess("dotnet build -v:n of one image");
        Assert.Contains("Layer 2/2 Module modules/app2 -> /opt/app2: unchanged", normal.StdOut);
        Assert.Matches(SummaryLine(app2, "latest"), normal.StdOut);
    }

    [Fact]
    public async Task The_terminal_logger_shows_the_line_too()
    {
        var workspace = new SolutionWorkspace(sdk, "tl");
        Tree.TextRootfs(workspace.Path("tl", "rootfs"));
        var project = await workspace.AddContainerProjectAsync("tl", """<ItemGroup><BaseLayer Include="rootfs" /></ItemGroup>""");
        var env = Dotnet.ChildEnvironment(sdk.PackagesFolder);
        var build = Tools.Run(Dotnet.Path, new[] { "build", project.ProjectPath, "-tl:on", "-nologo", "--disable-build-servers" },
            project.Directory, env, TimeSpan.FromMinutes(5));
        build.EnsureSuccess("dotnet build -tl:on");
        var plain = Regex.Replace(build.StdOut, @"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x1b\x07]*(\x07|\x1b\\)", "");
        Assert.Matches(new Regex(@$"tl:latest sha256:[0-9a-f]{{64}} \(layers: 1 built\)"), plain);
    }

    [Fact]
    public async Task A_cycle_of_base_projects_is_CSDK1044_naming_both()
    {
        var workspace = new SolutionWorkspace(sdk, "cycle");
        var a = await workspace.AddContainerProjectAsync("a", """<ItemGroup><BaseLayer Include="../b/b.containerproj" /></ItemGroup>""");
        var b = await workspace.AddContainerProjectAsync("b", """<ItemGroup><BaseLayer Include="../a/a.containerproj" /></ItemGroup>""");

        var build = a.Build();

        Assert.NotEqual(0, build.ExitCode);
        // At the BaseLayer item that closes the cycle (b's, naming a), in the form editors read.
        var error = new Regex($@"{Regex.Escape(b.ProjectPath)}\({b.LineOf("../a/a.containerproj")},\d+\): error CSDK1044: (.*)$", RegexOptions.Multiline).Match(build.StdOut);
        Assert.True(error.Success, build.StdOut);
        Assert.Contains(a.ProjectPath, error.Groups[1].Value);
        Assert.Contains(b.ProjectPath, error.Groups[1].Value);
        Assert.DoesNotContain("MSB4006", build.StdOut);
    }
}
