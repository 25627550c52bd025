namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// Hostile inputs and concurrent builds through `dotnet build` with the packed SDK, as a user meets them: a coded
/// error on the project's line, no stack trace, no image; two builds of one project at once agreeing.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class HostileBuildTests(SdkPackage sdk)
{
    private const string Body = """
          <PropertyGroup>
            <ContainerRepository>hostile</ContainerRepository>
          </PropertyGroup>
          <ItemGroup>
            <BaseLayer Include="base-rootfs" />
            <Module Include="modules/vendor.tar" TargetPath="/opt/vendor" />
          </ItemGroup>
        """;

    private async Task<TestProject> ProjectAsync(string name, Action<string> writeVendorTar)
    {
        var project = TestProject.Fresh(sdk, name);
        Tree.BusyboxRootfs(project.Path("base-rootfs"));
        Directory.CreateDirectory(project.Path("modules"));
        writeVendorTar(project.Path("modules", "vendor.tar"));
        await project.WriteAsync(Body);
        return project;
    }

    /// <summary>python3's tarfile writes what it is told, '..' included.</summary>
    private static void PythonTar(string path, string script) =>
        Tools.Run(Tools.Require("python3"), "-c", "import io, sys, tarfile\nt = tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT)\n" + script + "\nt.close()\n", path)
            .EnsureSuccess("python3 tarfile");

    private const string AddFile = "def add(name, data=b'x', **kw):\n    i = tarfile.TarInfo(name); i.size = len(data)\n    for k, v in kw.items(): setattr(i, k, v)\n    t.addfile(i, io.BytesIO(data))\n";

    [Theory]
    [InlineData("dotdot", "add('ok.txt'); add('../../outside.txt')", "CSDK1020", "outside.txt")]
    [InlineData("planted", "add('lib', type=tarfile.SYMTYPE, linkname='/etc'); add('lib/passwd')", "CSDK1021", "lib/passwd")]
    [InlineData("hardlink", "add('hl', type=tarfile.LNKTYPE, linkname='/etc/shadow')", "CSDK1021", "hl")]
    public async Task Hostile_module_tarball_fails_the_build_with_its_code_and_writes_no_image(string name, string entries, string code, string culprit)
    {
        var project = await ProjectAsync(name, path => PythonTar(path, AddFile + entries.Replace("; ", "\n")));
        var result = await Task.Run(() => project.Build());
        var output = result.StdOut + result.StdErr;
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"error {code}", output);
        Assert.Contains("vendor.tar", output);
        Assert.Contains(culprit, output);
        // The error points at the Module item that names the archive (its absolute file and line), as CSDK1001 does;
        // the message names the archive and the entry.
        var errors = string.Join("\n", output.Split('\n').Where(l => l.Contains("error CSDK")).Distinct());
        Assert.True(errors.Contains($"{project.ProjectPath}({project.LineOf("modules/vendor.tar")},5): error {code}"), errors);
        Assert.DoesNotContain("   at ContainerSdk", output);
        Assert.False(File.Exists(Path.Combine(project.ImageLayout, "index.json")), "an image was written");
        Assert.False(File.Exists(project.Path("outside.txt")));
        Assert.False(File.Exists(Path.Combine(sdk.Root, "outside.txt")));
    }

    [Fact]
    public async Task Two_dotnet_builds_of_one_project_at_once_both_succeed_with_the_same_image()
    {
        var project = await ProjectAsync("twice", path => PythonTar(path, AddFile + "import os\nfor n in range(40): add(f'data/f{n}.bin', os.urandom(500000))"));
        var first = Task.Run(() => project.Build());
        var second = Task.Run(() => project.Build());
        var results = await Task.WhenAll(first, second);
        foreach (var r in results) r.EnsureSuccess("dotnet build (concurrent)");
        var index = File.ReadAllText(Path.Combine(project.ImageLayout, "index.json"));
        var again = project.Build().EnsureSuccess("dotnet build (after)");
        Assert.Equal(index, File.ReadAllText(Path.Combine(project.ImageLayout, "index.json")));
        Tools.Run(Tools.Require("gzip"), "-t", project.Path("bin", "Debug", "hostile.tar.gz")).EnsureSuccess("gzip -t bundle");
        Tools.Run(Tools.Require("skopeo"), "inspect", $"oci:{project.ImageLayout}:latest").EnsureSuccess("skopeo inspect");
    }
}
