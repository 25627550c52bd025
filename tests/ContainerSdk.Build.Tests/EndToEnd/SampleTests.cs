namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// The README's first command, `dotnet build samples/site/site.containerproj`, on this checkout: the sample builds
/// the SDK from source (no package) and gives an image with what the sample promises.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class SampleTests
{
    [Fact]
    public void The_sample_site_builds_from_source()
    {
        var project = Path.Combine(RepoRoot.Path, "samples", "site", "site.containerproj");
        // The machine's package cache: building the tasks from source restores their dependencies.
        var build = Dotnet.Build(project);
        build.EnsureSuccess($"dotnet build {project}");
        // The nested build of the tasks (when they are built from source, as on a fresh clone) prints no block of its own.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(build.StdOut, "Build succeeded"));

        var outDir = Path.Combine(RepoRoot.Path, "samples", "site", "bin", "Debug");
        var image = ImageTools.SkopeoInspect(Path.Combine(outDir, "image"), "latest");
        var env = image["Env"]!.AsArray().Select(e => e!.GetValue<string>()).ToList();
        Assert.Contains("HELLO_HOME=/opt/hello/1.0", env);
        Assert.Equal("ContainerSdk sample", image["Labels"]?["org.opencontainers.image.vendor"]?.GetValue<string>());

        var listing = ImageTools.ListTarball(Path.Combine(outDir, "site.tar.gz"));
        Assert.StartsWith("drwxrwxrwt 0/0 ", ImageTools.ListingLine(listing, "tmp"));
        // Group write depends on the umask of the checkout (git stores only the x bit).
        Assert.Matches(@"^-rwxr[-w]xr-x 0/0 ", ImageTools.ListingLine(listing, "opt/hello/1.0/bin/hello"));
        Assert.Contains(" 0/3001 ", ImageTools.ListingLine(listing, "etc/site/site.conf"));

        // acl/site.acl: the licensed group (3001 in the image, not on this machine) reads /etc/site; the dump names it by id.
        var dump = File.ReadAllText(Path.Combine(outDir, "site.acl"));
        Assert.Contains("# file: etc/site\n# owner: 0\n# group: 3001\nuser::rwx\ngroup::r-x\ngroup:3001:r-x\nmask::r-x\nother::---\ndefault:user::rwx", dump);
        Assert.StartsWith("drwxr-x--- 0/3001 ", ImageTools.ListingLine(listing, "etc/site"));

        // The SBOM: valid CycloneDX 1.6 (the CycloneDX project's validator), naming the image, the base tarball and both modules.
        var sbom = Path.Combine(outDir, "site.cdx.json");
        CycloneDx.AssertValid(sbom);
        var bom = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllBytes(sbom))!;
        Assert.Equal(ImageTools.ManifestDigest(Path.Combine(outDir, "image")), "sha256:" + CycloneDx.Sha256(bom["metadata"]!["component"]!).Single());
        var components = CycloneDx.Components(bom);
        Assert.Equal(new[] { "base.tar", "hello", "site-config" }, components.Keys);
        Assert.Equal("1.0", components["hello"]["version"]!.GetValue<string>());
        Assert.Equal(new[] { "/etc/site" }, CycloneDx.Property(components["site-config"], "containersdk:targetPath"));
        Assert.Contains("; SBOM " + sbom, build.StdOut);
    }

    [Fact]
    public void The_committed_base_tar_is_what_make_base_tar_writes_from_base()
    {
        Tools.Require("tar");
        var site = Path.Combine(RepoRoot.Path, "samples", "site");
        using var work = new TempDir("base");
        var fresh = work.Combine("base.tar");

        Tools.Run("/bin/sh", Path.Combine(site, "make-base-tar.sh"), fresh).EnsureSuccess("make-base-tar.sh");

        Assert.True(File.ReadAllBytes(Path.Combine(site, "base.tar")).AsSpan().SequenceEqual(File.ReadAllBytes(fresh)),
            "samples/site/base.tar is out of date: run samples/site/make-base-tar.sh and commit base.tar");
    }
}
