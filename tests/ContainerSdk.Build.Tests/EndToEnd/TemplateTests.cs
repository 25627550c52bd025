using System.Text.RegularExpressions;

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// `dotnet pack ContainerSdk.sln` also writes ContainerSdk.Templates; `dotnet new install` of it (into a template
/// hive of its own) and `dotnet new containerproj -n mysite` make a project that builds as it is, with the SDK
/// package of the same version, from an isolated package cache.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class TemplateTests(SdkPackage sdk)
{
    [Fact]
    public async Task The_containerproj_template_makes_a_project_that_builds_as_it_is()
    {
        var feed = await sdk.GetFeedAsync();
        var templates = Path.Combine(feed, $"ContainerSdk.Templates.{SdkPackage.Version}.nupkg");
        Assert.True(File.Exists(templates), $"dotnet pack ContainerSdk.sln wrote no {templates}");

        var root = Path.Combine(sdk.Root, "template-" + Guid.NewGuid().ToString("N")[..8]);
        var hive = Path.Combine(root, "hive");
        var packages = Path.Combine(root, "packages");
        Directory.CreateDirectory(root);
        Tools.Result New(params string[] args) => Tools.Run(Dotnet.Path, new[] { "new" }.Concat(args).Concat(new[] { "--debug:custom-hive", hive }),
            root, Dotnet.ChildEnvironment(packages), TimeSpan.FromMinutes(5));

        New("install", templates).EnsureSuccess("dotnet new install ContainerSdk.Templates");
        New("containerproj", "-n", "mysite", "--no-update-check").EnsureSuccess("dotnet new containerproj -n mysite");

        var project = Path.Combine(root, "mysite", "mysite.containerproj");
        var text = File.ReadAllText(project);
        Assert.Contains($"<Project Sdk=\"ContainerSdk/{SdkPackage.Version}\">", text);
        Assert.True(File.Exists(Path.Combine(root, "mysite", "acl", "mysite.acl")));
        Assert.True(File.Exists(Path.Combine(root, "mysite", "base", "etc", "passwd")));
        // Each item says what it does, in the comment just above it.
        var lines = File.ReadAllLines(project);
        foreach (var item in new[] { "<BaseLayer ", "<Module ", "<AclFile " })
        {
            int at = Array.FindIndex(lines, l => l.TrimStart().StartsWith(item, StringComparison.Ordinal));
            Assert.True(at > 0, $"{item} is not in the template's project");
            Assert.Matches(new Regex(@"^\s*<!--.*-->\s*$"), lines[at - 1]);
        }

        // As a user would: a nuget.config that names the feed, nothing else; a package cache of its own.
        TestProject.WriteNuGetConfig(Path.Combine(root, "nuget.config"), feed);
        var build = Dotnet.Build(project, packages);
        build.EnsureSuccess("dotnet build of the project the template made");
        Assert.Contains(" 0 Warning(s)", build.StdOut);
        Assert.True(File.Exists(Path.Combine(root, "mysite", "bin", "Debug", "image", "index.json")));
        Assert.True(File.Exists(Path.Combine(root, "mysite", "bin", "Debug", "mysite.tar.gz")));
        Assert.True(Directory.Exists(Path.Combine(packages, "containersdk", SdkPackage.Version)), "the SDK came from the isolated package cache");
        Assert.Matches(new Regex(@"mysite:latest sha256:[0-9a-f]{64} \(layers: 2 built\)"), build.StdOut);
        // A NuGet package keeps no file modes: the template's post-action makes the module's program executable again,
        // so that the image carries it 0755 and it runs.
        var program = Path.Combine(root, "mysite", "modules", "hello-1.0", "bin", "hello");
        Assert.True(File.GetUnixFileMode(program).HasFlag(UnixFileMode.UserExecute), $"{program} is {File.GetUnixFileMode(program)}");
        var bundle = Path.Combine(root, "mysite", "bin", "Debug", "mysite.tar.gz");
        Assert.StartsWith("-rwxr-xr-x", ImageTools.ListingLine(ImageTools.ListTarball(bundle), "opt/hello/1.0/bin/hello"));

        // As a user who puts a shell into the template's base folder: the program runs from the image's PATH in runc.
        var runc = Tools.Require("runc");
        Tools.RequireRoot("runc runs containers as root here");
        var baseBin = Path.Combine(root, "mysite", "base", "bin");
        Directory.CreateDirectory(baseBin);
        File.Copy(Tools.Require("busybox"), Path.Combine(baseBin, "busybox"));
        File.SetUnixFileMode(Path.Combine(baseBin, "busybox"), (UnixFileMode)0b111_101_101);
        File.CreateSymbolicLink(Path.Combine(baseBin, "sh"), "busybox");
        Dotnet.Build(project, packages).EnsureSuccess("dotnet build with a shell in the base");
        var unpacked = Path.Combine(root, "unpacked");
        ImageTools.UmociUnpack($"{Path.Combine(root, "mysite", "bin", "Debug", "image")}:latest", unpacked);
        var configPath = Path.Combine(unpacked, "config.json");
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(configPath))!;
        config["process"]!["terminal"] = false;
        config["process"]!["args"] = new System.Text.Json.Nodes.JsonArray("/bin/sh", "-c", "hello");
        File.WriteAllText(configPath, config.ToJsonString());
        var run = Tools.Run(runc, new[] { "--root", Path.Combine(root, "runc-state"), "run", "-b", unpacked, "csdk-template-" + Guid.NewGuid().ToString("N")[..12] },
            timeout: TimeSpan.FromMinutes(2)).EnsureSuccess("runc run of the template's program");
        Assert.Equal("hello from /opt/hello/1.0\n", run.StdOut);
    }
}
