using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>The site's OCI image layout, through the tools users run it with: skopeo, umoci and runc.</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class SiteImageTests(SiteBuild site)
{
    [Fact]
    public async Task Skopeo_reads_the_image_and_its_environment()
    {
        var output = await site.GetAsync();

        var image = ImageTools.SkopeoInspect(output.Layout, SiteBuild.Tag);

        var env = image["Env"]!.AsArray().Select(e => e!.GetValue<string>()).ToList();
        Assert.Contains("HELLO_HOME=/opt/hello", env);
        Assert.Contains("TOOL_HOME=/opt/tool", env);
        Assert.Contains("HELLO_VAR=value-from-project", env);
        // Each module's $PATH / ${PATH} expands against the layers below: the tool's entry comes first, hello's next.
        var path = Assert.Single(env, e => e.StartsWith("PATH=", StringComparison.Ordinal));
        Assert.Matches(new Regex("^PATH=/opt/tool/bin:/opt/hello/bin(:|$)"), path);
        Assert.DoesNotContain("$", path);
        Assert.Equal(SiteBuild.LayerItems.Length, image["Layers"]!.AsArray().Count);
    }

    [Fact]
    public async Task Umoci_unpacks_links_modes_and_owners_as_built()
    {
        var output = await site.GetAsync();
        using var work = new TempDir("unpack");
        var bundle = work.Combine("bundle");

        ImageTools.UmociUnpack(output.ImageReference, bundle);
        var rootfs = Path.Combine(bundle, "rootfs");
        FileStat Stat(string imagePath) => FileStat.Of(Path.Combine(rootfs, imagePath));

        Assert.Equal("1777", Stat("tmp").Mode);
        // /opt comes from the base; modules landing below it must not change its mode or owner.
        Assert.Equal("711", Stat("opt").Mode);
        Assert.Equal("0:0", Stat("opt").Owners);

        var hi = new FileInfo(Path.Combine(rootfs, "opt/hello/bin/hi"));
        Assert.Equal("hello", hi.LinkTarget);
        Assert.Equal("symbolic link", Stat("opt/hello/bin/hi").Type);
        Assert.Equal("symbolic link", Stat("bin/sh").Type);

        var hello = Stat("opt/hello/bin/hello");
        var again = Stat("opt/hello/bin/hello-again");
        Assert.Equal(hello.Inode, again.Inode);
        Assert.Equal(2, hello.Links);
        Assert.Equal("755", hello.Mode);

        Assert.Equal("4755", Stat("opt/hello/bin/su-helper").Mode);
        // Directory module, Owner unset: 0:0 in the image (the files are 4321:4321 on the build machine).
        Assert.Equal("0:0", hello.Owners);
        Assert.Equal("0:0", Stat("opt/hello/share/README").Owners);

        // Tarball module, Owner unset: the owners the tarball recorded.
        var tarballOwners = $"{SiteBuild.TarballUid}:{SiteBuild.TarballGid}";
        Assert.Equal(tarballOwners, Stat("opt/tool/bin/tool").Owners);
        Assert.Equal(tarballOwners, Stat("opt/tool/share/tool.txt").Owners);
        Assert.Equal("755", Stat("opt/tool/bin/tool").Mode);
        Assert.Equal("vendor data\n", File.ReadAllText(Path.Combine(rootfs, "opt/tool/share/tool.txt")));
    }

    [Fact]
    public async Task Runc_runs_the_modules_commands_from_their_PATH()
    {
        var runc = Tools.Require("runc");
        Tools.RequireRoot("runc runs containers as root here");
        var output = await site.GetAsync();
        using var work = new TempDir("runc");
        var bundle = work.Combine("bundle");
        ImageTools.UmociUnpack(output.ImageReference, bundle);

        // umoci's config.json carries the image's Env; run a non-interactive shell command instead of the default.
        var configPath = Path.Combine(bundle, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!;
        config["process"]!["terminal"] = false;
        config["process"]!["args"] = new JsonArray("/bin/sh", "-c", "hello && tool && echo $HELLO_VAR");
        File.WriteAllText(configPath, config.ToJsonString());

        var id = "csdk-e2e-" + Guid.NewGuid().ToString("N")[..12];
        var run = Tools.Run(runc, new[] { "--root", work.Combine("runc-state"), "run", "-b", bundle, id },
            timeout: TimeSpan.FromMinutes(2)).EnsureSuccess("runc run");

        Assert.Equal("hello from /opt/hello\ntool from /opt/tool\nvalue-from-project\n", run.StdOut);
    }

    [Fact]
    public async Task Build_returns_the_ContainerImage_item_of_the_layout()
    {
        var output = await site.GetAsync();

        // What a calling project or CI script gets back from the Build target (rebuilds the same project in place).
        var build = Dotnet.Run(new[] { "build", output.Project.ProjectPath, "-getTargetResult:Build" },
            output.Project.Directory, output.Project.PackagesFolder).EnsureSuccess("dotnet build -getTargetResult:Build");
        var json = build.StdOut[build.StdOut.IndexOf('{')..(build.StdOut.LastIndexOf('}') + 1)];
        var result = JsonNode.Parse(json)!["TargetResults"]!["Build"]!;

        var item = Assert.Single(result["Items"]!.AsArray(), i => i!["Digest"] is not null)!;
        Assert.Equal(ImageTools.ManifestDigest(output.Layout), item["Digest"]!.GetValue<string>());
        Assert.Contains(SiteBuild.Tag, item["Tags"]!.GetValue<string>().Split(';'));
        Assert.Equal(Path.TrimEndingDirectorySeparator(Path.GetFullPath(output.Layout)),
            Path.TrimEndingDirectorySeparator(item["FullPath"]?.GetValue<string>() ?? item["Identity"]!.GetValue<string>()));
    }
}
