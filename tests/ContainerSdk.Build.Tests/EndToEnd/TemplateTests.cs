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
    }
}
