using System.Text.RegularExpressions;
using ContainerSdk.Tests.Registry;

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// A CI job that only publishes (GenerateContainerImageLayout and GenerateContainerBundle false) on a fresh runner,
/// against a real docker-registry whose access log counts what the build fetched: every layer the registry cache holds
/// is mounted into the target repository, none is downloaded, and the manifest is the cold build's.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class PublishOnlyTests(SdkPackage sdk)
{
    private static Tools.Result Dotnet(TestProject project, string registry, params string[] args)
    {
        var env = EndToEnd.Dotnet.ChildEnvironment(project.PackagesFolder);
        env["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = registry;
        return Tools.Run(EndToEnd.Dotnet.Path, args.Concat(new[] { "-nologo", "-tl:off", "--disable-build-servers", "-v:n" }), project.Directory, env,
            TimeSpan.FromMinutes(8));
    }

    /// <summary>The digest the publish step names on its summary line, "name -> host/repository:tags sha256:… (Debug image: …)".</summary>
    private static string PublishedDigest(Tools.Result result)
    {
        var match = Regex.Match(result.StdOut, @" -> \S+/\S+:\S+ (sha256:[0-9a-f]{64}) \(");
        Assert.True(match.Success, result.StdOut);
        return match.Groups[1].Value;
    }

    [Fact]
    public async Task A_fresh_runner_that_only_publishes_downloads_no_layer_and_pushes_the_cold_builds_manifest()
    {
        Tools.Require("docker-registry");
        await using var reg = await RegistryServer.StartAsync(new RegistryServerOptions { AccessLog = true });
        var root = Path.Combine(sdk.Root, "publish-only-" + Guid.NewGuid().ToString("N")[..8]);
        string Body(string repository, string extra) => $"""
              <PropertyGroup>
                <ContainerRegistry>{reg.Host}</ContainerRegistry>
                <ContainerRepository>{repository}</ContainerRepository>
                <ContainerCacheRepository>{reg.Host}/ci/layer-cache</ContainerCacheRepository>
                {extra}
              </PropertyGroup>
              <ItemGroup>
                <BaseLayer Include="rootfs" />
                <Module Include="modules/tool" TargetPath="/opt/tool" />
              </ItemGroup>
            """;

        // Runner A: a cold build that publishes, with the layout and the bundle, and fills the registry cache.
        var cold = new TestProject(sdk, Path.Combine(root, "runner-a", "site"));
        Tree.TextRootfs(cold.Path("rootfs"));
        Tree.FileAt(cold.Path("modules", "tool", "bin", "tool"), "#!/bin/sh\necho tool\n", "755");
        Tree.FileAt(cold.Path("modules", "tool", "share", "data.txt"), string.Concat(Enumerable.Range(0, 20000).Select(i => $"line {i}\n")), "644");
        await cold.WriteAsync(Body("hpc/cold", ""));
        var coldRun = Dotnet(cold, reg.Host, "publish", cold.ProjectPath).EnsureSuccess("cold dotnet publish");
        var coldDigest = PublishedDigest(coldRun);
        Assert.Equal(coldDigest, ImageTools.ManifestDigest(cold.ImageLayout));
        var layers = ImageTools.Manifest(cold.ImageLayout)["layers"]!.AsArray().Select(l => l!["digest"]!.GetValue<string>()).ToArray();
        Assert.Equal(2, layers.Length);

        // Runner B: the sources only (fresh obj/, bin/ and cache folder), publishing to a fresh repository, no local outputs.
        var fresh = new TestProject(sdk, Path.Combine(root, "runner-b", "site"));
        Tree.TextRootfs(fresh.Path("rootfs"));
        Tree.FileAt(fresh.Path("modules", "tool", "bin", "tool"), "#!/bin/sh\necho tool\n", "755");
        Tree.FileAt(fresh.Path("modules", "tool", "share", "data.txt"), string.Concat(Enumerable.Range(0, 20000).Select(i => $"line {i}\n")), "644");
        await fresh.WriteAsync(Body("hpc/fresh", """
                <GenerateContainerImageLayout>false</GenerateContainerImageLayout>
                <GenerateContainerBundle>false</GenerateContainerBundle>
            """));
        int before = reg.AccessLog().Count;
        var freshRun = Dotnet(fresh, reg.Host, "publish", fresh.ProjectPath).EnsureSuccess("publish-only dotnet publish");
        var requests = reg.AccessLog().Skip(before).ToList();

        // No GET of a layer blob: each was vouched for by a HEAD and mounted into hpc/fresh from the cache repository.
        var layerGets = requests.Where(r => r.StartsWith("GET ", StringComparison.Ordinal) && layers.Any(d => r.Contains("/blobs/" + d, StringComparison.Ordinal))).ToList();
        Assert.True(layerGets.Count == 0, string.Join("\n", requests));
        Assert.Contains(requests, r => r.StartsWith("HEAD /v2/ci/layer-cache/blobs/" + layers[1], StringComparison.Ordinal));
        Assert.Equal(layers.Length, requests.Count(r => r.StartsWith("POST /v2/hpc/fresh/blobs/uploads/?mount=", StringComparison.Ordinal) && r.EndsWith(" 201", StringComparison.Ordinal)));
        Assert.Equal(coldDigest, PublishedDigest(freshRun));
        Assert.Contains("left there: nothing here needs its bytes", freshRun.StdOut);
        // Nothing of the image on this runner's disk: no layout, no bundle, no layer blob.
        Assert.False(Directory.Exists(fresh.ImageLayout));
        Assert.False(File.Exists(Path.Combine(fresh.OutDir, "site.tar.gz")));
        // No file of the runner is named by a layer's digest (the layer cache, the blob store of downloads).
        bool LayerOnDisk() => Directory.EnumerateFiles(fresh.Directory, "*", SearchOption.AllDirectories)
            .Any(f => layers.Any(d => Path.GetFileName(f).StartsWith(d[7..], StringComparison.Ordinal)));
        Assert.False(LayerOnDisk());

        // The registry serves what was pushed under that digest.
        using var http = reg.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Head, $"v2/hpc/fresh/manifests/latest");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        using var answer = await http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(coldDigest, answer.Headers.GetValues("Docker-Content-Digest").Single());

        // Another registry as the target: the layers are streamed from the cache's registry into it, none stored on the way.
        await using var other = await RegistryServer.StartAsync(new RegistryServerOptions { AccessLog = true });
        await fresh.WriteAsync(Body("hpc/elsewhere", """
                <GenerateContainerImageLayout>false</GenerateContainerImageLayout>
                <GenerateContainerBundle>false</GenerateContainerBundle>
            """).Replace($"<ContainerRegistry>{reg.Host}</ContainerRegistry>", $"<ContainerRegistry>{other.Host}</ContainerRegistry>"));
        var streamed = Dotnet(fresh, reg.Host + ";" + other.Host, "publish", fresh.ProjectPath).EnsureSuccess("publish-only dotnet publish to another registry");
        Assert.Equal(coldDigest, PublishedDigest(streamed));
        Assert.Equal(layers.Length, other.AccessLog().Count(r => r.StartsWith("PUT /v2/hpc/elsewhere/blobs/uploads/", StringComparison.Ordinal)
                                                                && layers.Any(d => r.Contains(Uri.EscapeDataString(d), StringComparison.Ordinal) || r.Contains(d, StringComparison.Ordinal))));
        Assert.False(LayerOnDisk());
        Assert.False(Directory.Exists(fresh.ImageLayout));
    }
    [Fact]
    public async Task A_fresh_runner_that_only_publishes_mounts_a_registry_base_from_its_repository_and_downloads_none_of_its_layers()
    {
        var skopeo = Tools.Require("skopeo");
        Tools.Require("docker-registry");
        await using var reg = await RegistryServer.StartAsync(new RegistryServerOptions { AccessLog = true });
        var root = Path.Combine(sdk.Root, "publish-only-base-" + Guid.NewGuid().ToString("N")[..8]);

        // The site's base image, pushed to the registry by skopeo as hpc/base:1.
        var baseProject = new TestProject(sdk, Path.Combine(root, "base-image"), "base");
        Tree.TextRootfs(baseProject.Path("rootfs"));
        Tree.FileAt(baseProject.Path("rootfs", "usr", "share", "base.txt"), string.Concat(Enumerable.Range(0, 5000).Select(i => $"base {i}\n")), "644");
        await baseProject.WriteAsync("""<ItemGroup><BaseLayer Include="rootfs" /></ItemGroup>""");
        baseProject.Build().EnsureSuccess("dotnet build base");
        Tools.Run(skopeo, "copy", "--dest-tls-verify=false", $"oci:{baseProject.ImageLayout}:latest", $"docker://{reg.Host}/hpc/base:1").EnsureSuccess("skopeo copy base");

        string Body(string repository, string extra) => $"""
              <PropertyGroup>
                <ContainerRegistry>{reg.Host}</ContainerRegistry>
                <ContainerRepository>{repository}</ContainerRepository>
                <ContainerCacheRepository>{reg.Host}/ci/layer-cache</ContainerCacheRepository>
                {extra}
              </PropertyGroup>
              <ItemGroup>
                <BaseLayer Include="docker://{reg.Host}/hpc/base:1" />
                <Module Include="modules/tool" TargetPath="/opt/tool" />
              </ItemGroup>
            """;
        TestProject Runner(string name)
        {
            var project = new TestProject(sdk, Path.Combine(root, name, "site"));
            Tree.FileAt(project.Path("modules", "tool", "bin", "tool"), "#!/bin/sh\necho tool\n", "755");
            return project;
        }

        // Runner A: a build with the layout, which downloads the base, indexes its layer and shares the index in the registry cache.
        var warm = Runner("runner-a");
        await warm.WriteAsync(Body("hpc/cold", ""));
        var coldDigest = PublishedDigest(Dotnet(warm, reg.Host, "publish", warm.ProjectPath).EnsureSuccess("dotnet publish on runner A"));
        var layers = ImageTools.Manifest(warm.ImageLayout)["layers"]!.AsArray().Select(l => l!["digest"]!.GetValue<string>()).ToArray();
        Assert.Equal(2, layers.Length);
        Assert.Contains(reg.AccessLog(), r => r.StartsWith("PUT /v2/ci/layer-cache/manifests/csdk-index-", StringComparison.Ordinal));

        // Runner B: a fresh runner that only publishes.
        var fresh = Runner("runner-b");
        await fresh.WriteAsync(Body("hpc/fresh", """
                <GenerateContainerImageLayout>false</GenerateContainerImageLayout>
                <GenerateContainerBundle>false</GenerateContainerBundle>
            """));
        int before = reg.AccessLog().Count;
        var freshRun = Dotnet(fresh, reg.Host, "publish", fresh.ProjectPath).EnsureSuccess("publish-only dotnet publish on runner B");
        var requests = reg.AccessLog().Skip(before).ToList();

        // No GET of the base's layer blob nor of the module's: the base layer is mounted from hpc/base, the module's from the cache.
        var layerGets = requests.Where(r => r.StartsWith("GET ", StringComparison.Ordinal) && layers.Any(d => r.Contains("/blobs/" + d, StringComparison.Ordinal))).ToList();
        Assert.True(layerGets.Count == 0, string.Join("\n", requests));
        Assert.True(requests.Any(r => r.StartsWith("POST /v2/hpc/fresh/blobs/uploads/?mount=", StringComparison.Ordinal) && r.Contains(layers[0][7..], StringComparison.Ordinal)
                                      && (r.Contains("from=hpc%2Fbase ", StringComparison.Ordinal) || r.Contains("from=hpc/base ", StringComparison.Ordinal)) && r.EndsWith(" 201", StringComparison.Ordinal)),
            string.Join("\n", requests));
        Assert.Equal(coldDigest, PublishedDigest(freshRun));
        Assert.False(Directory.Exists(fresh.ImageLayout));
        void NoLayerOnDisk() => Assert.DoesNotContain(Directory.EnumerateFiles(fresh.Directory, "*", SearchOption.AllDirectories),
            f => layers.Any(d => Path.GetFileName(f).StartsWith(d[7..], StringComparison.Ordinal)));
        NoLayerOnDisk();

        // Another registry as the target: the base layer is streamed from hpc/base into it, never stored on the way.
        await using var other = await RegistryServer.StartAsync(new RegistryServerOptions { AccessLog = true });
        await fresh.WriteAsync(Body("hpc/elsewhere", """
                <GenerateContainerImageLayout>false</GenerateContainerImageLayout>
                <GenerateContainerBundle>false</GenerateContainerBundle>
            """).Replace($"<ContainerRegistry>{reg.Host}</ContainerRegistry>", $"<ContainerRegistry>{other.Host}</ContainerRegistry>"));
        before = reg.AccessLog().Count;
        var streamed = Dotnet(fresh, reg.Host + ";" + other.Host, "publish", fresh.ProjectPath).EnsureSuccess("publish-only dotnet publish to another registry");
        Assert.Equal(coldDigest, PublishedDigest(streamed));
        Assert.Contains(reg.AccessLog().Skip(before), r => r.StartsWith($"GET /v2/hpc/base/blobs/{layers[0]} ", StringComparison.Ordinal));
        Assert.Contains(other.AccessLog(), r => r.StartsWith("PUT /v2/hpc/elsewhere/blobs/uploads/", StringComparison.Ordinal) && r.Contains(layers[0][7..], StringComparison.Ordinal));
        NoLayerOnDisk();
    }
}
