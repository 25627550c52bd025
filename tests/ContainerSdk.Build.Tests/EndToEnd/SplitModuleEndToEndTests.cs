using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ContainerSdk.Tests.Images;
using ContainerSdk.Tests.Registry;

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// Issue 22: a module larger than ContainerLayerSplitSize (here 1 MiB, on a 3 MiB module, to stay quick) is built as
/// several ordinary layers: runc and podman run the image, umoci unpacks it, the bundle and its ACL dump are the
/// unsplit build's; after a one-file change `dotnet publish` sends one or two layer blobs, and a project using the
/// pushed image as a `docker://` base downloads only those.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class SplitModuleEndToEndTests(SdkPackage sdk)
{
    private const string SplitSize = "1MiB";

    /// <summary>About 3 MiB of text: 240 files of 12 KiB in 6 folders, and a script.</summary>
    private static void Module(string root)
    {
        var random = new Random(22);
        var text = new char[12 << 10];
        for (int i = 0; i < 240; i++)
        {
            for (int j = 0; j < text.Length; j++) text[j] = j % 80 == 79 ? '\n' : (char)('a' + random.Next(26));
            Tree.FileAt(Path.Combine(root, "share", $"d{i % 6}", $"f{i:D3}.txt"), new string(text), "644");
        }
        Tree.FileAt(Path.Combine(root, "bin", "suite"), "#!/bin/sh\necho suite-12 ready\n", "755");
    }

    /// <summary>ACLs (numeric ids) on the module's folders, which several parts hold, and on every ninth file.</summary>
    private static string Acls(TestProject project)
    {
        var dump = new StringBuilder();
        foreach (var folder in new[] { "opt/suite", "opt/suite/share" }.Concat(Enumerable.Range(0, 6).Select(d => $"opt/suite/share/d{d}")))
            dump.Append($"# file: {folder}\nuser::rwx\ngroup::r-x\ngroup:4200:r-x\nmask::r-x\nother::r-x\n\n");
        for (int i = 0; i < 240; i += 9)
            dump.Append($"# file: opt/suite/share/d{i % 6}/f{i:D3}.txt\nuser::rw-\ngroup::r--\nuser:4100:rw-\nmask::rw-\nother::---\n\n");
        return Tree.FileAt(project.Path("site.acl"), dump.ToString(), "644");
    }

    [Fact]
    public async Task A_split_module_runs_in_runc_and_podman_umoci_unpacks_it_and_its_bundle_is_the_unsplit_builds()
    {
        var runc = Tools.Require("runc");
        Tools.RequireRoot("runc runs containers as root here");
        var project = TestProject.Fresh(sdk, "split");
        Tree.BusyboxRootfs(project.Path("base-rootfs"));
        Module(project.Path("modules", "suite-12"));
        Acls(project);
        await project.WriteAsync($"""
              <PropertyGroup>
                <ContainerRepository>hpc/split</ContainerRepository>
                <ContainerImageTag>1</ContainerImageTag>
                <ContainerLayerSplitSize>{SplitSize}</ContainerLayerSplitSize>
                <ContainerArchiveOutputPath>bin/split.oci.tar</ContainerArchiveOutputPath>
              </PropertyGroup>
              <ItemGroup>
                <BaseLayer Include="base-rootfs" />
                <Module Include="modules/suite-12" TargetPath="/opt/suite" Version="12" Environment="PATH=/opt/suite/bin:$PATH" />
                <AclFile Include="site.acl" />
                <ContainerEntrypoint Include="/bin/sh" />
              </ItemGroup>
            """);
        var build = project.Build().EnsureSuccess("dotnet build (split)");
        Assert.Matches(@"Module modules/suite-12 -> /opt/suite \(part 1/\d+\)", build.StdOut);

        var inspect = ImageTools.SkopeoInspect(project.ImageLayout, "1");
        var layers = inspect["Layers"]!.AsArray().Select(l => l!.GetValue<string>()).ToList();
        Assert.InRange(layers.Count, 4, 30); // the base, and the module in three or more parts
        Assert.Equal(string.Join(",", layers.Skip(1)), inspect["Labels"]!["io.containersdk.module.1.layer"]!.GetValue<string>());
        Assert.Equal("12", inspect["Labels"]!["io.containersdk.module.1.version"]!.GetValue<string>());
        // The module's Environment applied once, not once per part.
        var path = Assert.Single(inspect["Env"]!.AsArray().Select(e => e!.GetValue<string>()), e => e.StartsWith("PATH=", StringComparison.Ordinal));
        Assert.StartsWith("PATH=/opt/suite/bin:", path);
        Assert.Single(Regex.Matches(path, "/opt/suite/bin"));

        using var work = new TempDir("split-runc");
        var bundle = work.Combine("bundle");
        ImageTools.UmociUnpack($"{project.ImageLayout}:1", bundle);
        Assert.Equal(File.ReadAllText(project.Path("modules", "suite-12", "share", "d3", "f123.txt")),
            File.ReadAllText(Path.Combine(bundle, "rootfs", "opt", "suite", "share", "d3", "f123.txt")));
        var getfacl = Tools.Run(Tools.Require("getfacl"), "-n", "-p", Path.Combine(bundle, "rootfs", "opt", "suite", "share", "d0", "f000.txt"),
            Path.Combine(bundle, "rootfs", "opt", "suite", "share", "d5")).EnsureSuccess("getfacl").StdOut;
        Assert.Contains("user:4100:rw-", getfacl);
        Assert.Contains("group:4200:r-x", getfacl);

        var configPath = Path.Combine(bundle, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!;
        config["process"]!["terminal"] = false;
        config["process"]!["args"] = new JsonArray("/bin/sh", "-c", "suite && cat /opt/suite/share/d3/f123.txt");
        File.WriteAllText(configPath, config.ToJsonString());
        var id = "csdk-e2e-" + Guid.NewGuid().ToString("N")[..12];
        var ran = Tools.Run(runc, new[] { "--root", work.Combine("runc-state"), "run", "-b", bundle, id }, timeout: TimeSpan.FromMinutes(2))
            .EnsureSuccess("runc run");
        string expected = "suite-12 ready\n" + File.ReadAllText(project.Path("modules", "suite-12", "share", "d3", "f123.txt"));
        Assert.Equal(expected, ran.StdOut);

        using (var podman = new Podman())
        {
            podman.Run("load", "-i", project.Path("bin", "split.oci.tar")).EnsureSuccess("podman load");
            var run = new[] { "run", "--rm", "--network=none", "localhost/hpc/split:1", "-c", "suite && cat /opt/suite/share/d3/f123.txt" };
            var inPodman = podman.Run(run);
            // podman's --rm can lose the exit code to its own cleanup on a loaded machine (as RegistryPublishTests says).
            if (inPodman.ExitCode != 0 && inPodman.StdErr.Contains("no such exit code", StringComparison.Ordinal)) inPodman = podman.Run(run);
            if (inPodman.ExitCode != 0 && !Tools.InCi && inPodman.StdErr.Contains("cgroup", StringComparison.OrdinalIgnoreCase))
                Assert.Skip($"podman run cannot start a container here: {inPodman.StdErr}");
            Assert.Equal(expected, inPodman.EnsureSuccess("podman run").StdOut);
        }

        var splitBundle = File.ReadAllBytes(project.Path("bin", "Debug", "hpc", "split.tar.gz"));
        var splitAcl = File.ReadAllBytes(project.Path("bin", "Debug", "hpc", "split.acl"));
        var whole = project.Build("-p:ContainerLayerSplitSize=0").EnsureSuccess("dotnet build (one layer)");
        Assert.DoesNotContain("(part ", whole.StdOut);
        Assert.Equal(2, ImageTools.SkopeoInspect(project.ImageLayout, "1")["Layers"]!.AsArray().Count);
        Assert.Equal(splitBundle, File.ReadAllBytes(project.Path("bin", "Debug", "hpc", "split.tar.gz")));
        Assert.Equal(splitAcl, File.ReadAllBytes(project.Path("bin", "Debug", "hpc", "split.acl")));
    }

    [Fact]
    public async Task After_a_one_file_change_publish_sends_one_or_two_layers_and_a_docker_base_pulls_only_those()
    {
        await using var reg = await RegistryServer.StartAsync(new RegistryServerOptions { AccessLog = true });
        var root = Path.Combine(sdk.Root, "split-publish-" + Guid.NewGuid().ToString("N")[..8]);
        var site = new TestProject(sdk, Path.Combine(root, "site"));
        Tree.TextRootfs(site.Path("base"));
        Module(site.Path("modules", "suite-12"));
        await site.WriteAsync($"""
              <PropertyGroup>
                <ContainerRegistry>{reg.Host}</ContainerRegistry>
                <ContainerInsecureRegistries>{reg.Host}</ContainerInsecureRegistries>
                <ContainerRepository>hpc/split</ContainerRepository>
                <ContainerImageTag>1</ContainerImageTag>
                <ContainerLayerSplitSize>{SplitSize}</ContainerLayerSplitSize>
              </PropertyGroup>
              <ItemGroup>
                <BaseLayer Include="base" />
                <Module Include="modules/suite-12" TargetPath="/opt/suite" />
              </ItemGroup>
            """);
        var derived = new TestProject(sdk, Path.Combine(root, "derived"));
        Tree.FileAt(derived.Path("modules", "tool", "bin", "tool"), "#!/bin/sh\necho tool\n", "755");
        await derived.WriteAsync($"""
              <PropertyGroup>
                <ContainerInsecureRegistries>{reg.Host}</ContainerInsecureRegistries>
              </PropertyGroup>
              <ItemGroup>
                <BaseLayer Include="docker://{reg.Host}/hpc/split:1" />
                <Module Include="modules/tool" TargetPath="/opt/tool" />
              </ItemGroup>
            """);

        Publish(site);
        var before = LayerDigests(site);
        derived.Build().EnsureSuccess("dotnet build of the derived project");
        int seen = reg.Requests().Count;

        var changed = site.Path("modules", "suite-12", "share", "d2", "f110.txt");
        Tree.FileAt(changed, "one changed line\n" + File.ReadAllText(changed), "644");
        Publish(site);
        var after = LayerDigests(site);
        var newLayers = after.Except(before).ToHashSet();
        Assert.InRange(newLayers.Count, 1, 2);
        Assert.Equal(before.Count - newLayers.Count, after.Intersect(before).Count());

        string config = ImageTools.Manifest(site.ImageLayout)["config"]!["digest"]!.GetValue<string>();
        var pushed = reg.Requests().Skip(seen).Where(r => r.StartsWith("PUT ") && r.Contains("/blobs/uploads/"))
            .Select(r => Uri.UnescapeDataString(Regex.Match(r, "digest=([^&]+)").Groups[1].Value)).ToList();
        // Besides the image's blobs, only the SBOM, which names the new layers (the ACL dump is the same, already there).
        string sbom = "sha256:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
            File.ReadAllBytes(Assert.Single(Directory.GetFiles(site.OutDir, "*.cdx.json", SearchOption.AllDirectories))))).ToLowerInvariant();
        Assert.Equal(newLayers.Append(config).Append(sbom).Order(), pushed.Order());
        seen = reg.Requests().Count;

        derived.Build().EnsureSuccess("dotnet build of the derived project after the change");
        var pulled = reg.Requests().Skip(seen).Where(r => r.StartsWith("GET ") && r.Contains("/blobs/sha256:"))
            .Select(r => r[(r.IndexOf("/blobs/", StringComparison.Ordinal) + "/blobs/".Length)..]).ToList();
        Assert.Equal(newLayers.Append(config).Order(), pulled.Order());
    }

    private static void Publish(TestProject project)
    {
        var env = Dotnet.ChildEnvironment(project.PackagesFolder);
        Tools.Run(Dotnet.Path, new[] { "publish", project.ProjectPath, "-nologo", "-tl:off", "--disable-build-servers", "-v:n" }, project.Directory, env,
            TimeSpan.FromMinutes(8)).EnsureSuccess("dotnet publish");
    }

    private static List<string> LayerDigests(TestProject project) =>
        ImageTools.Manifest(project.ImageLayout)["layers"]!.AsArray().Select(l => l!["digest"]!.GetValue<string>()).ToList();
}
