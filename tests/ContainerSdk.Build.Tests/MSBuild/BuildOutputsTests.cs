using System.Text.Json;

namespace ContainerSdk.Build.Tests.MSBuild;

/// <summary>What Build returns and what Clean removes: a real build through the engine.</summary>
[Collection(InProcessMSBuild.Name)]
public sealed class BuildOutputsTests
{
    private static SdkProject ProjectWithOneModule(string properties = "")
    {
        var p = new SdkProject($"""
            <PropertyGroup>{properties}</PropertyGroup>
            <ItemGroup><Module Include="modules/tool" TargetPath="/opt/tool" /></ItemGroup>
            """);
        Directory.CreateDirectory(p.Dir.Combine("modules", "tool", "bin"));
        File.WriteAllText(p.Dir.Combine("modules", "tool", "bin", "hello"), "#!/bin/sh\necho hello\n");
        return p;
    }

    [Fact]
    public void Build_returns_the_ContainerImage_item_with_the_manifest_Digest_and_the_Tags()
    {
        using var p = ProjectWithOneModule("<ContainerImageTags>2026.11;latest</ContainerImageTags>");
        var outcome = p.Build("Build");
        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Empty(outcome.Log.Warnings);

        var image = Assert.Single(outcome.Result.ResultsByTarget["Build"].Items);
        string layout = p.Dir.Combine("bin", "Debug", "image");
        Assert.Equal(Path.GetFullPath(layout).TrimEnd('/'), Path.GetFullPath(image.ItemSpec).TrimEnd('/'));
        Assert.Equal("2026.11;latest", image.GetMetadata("Tags"));
        Assert.Matches("^sha256:[0-9a-f]{64}$", image.GetMetadata("Digest"));

        // The digest is the one index.json gives for every tag.
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout, "index.json")));
        // The image's entries, one per tag; then, untagged, the artifacts about it: the SBOM and the ACL dump.
        var entries = index.RootElement.GetProperty("manifests").EnumerateArray().ToList();
        var manifests = entries.Where(m => !m.TryGetProperty("artifactType", out _)).ToList();
        Assert.Equal(new[] { "application/vnd.cyclonedx+json", "application/vnd.containersdk.acl-dump.v1+text" },
            entries.Skip(manifests.Count).Select(m => m.GetProperty("artifactType").GetString()));
        var refNames = manifests.Select(m => m.GetProperty("annotations").GetProperty("org.opencontainers.image.ref.name").GetString()).ToList();
        Assert.All(manifests, m => Assert.Equal(image.GetMetadata("Digest"), m.GetProperty("digest").GetString()));
        Assert.Contains(refNames, n => n!.EndsWith("2026.11"));
        Assert.Contains(refNames, n => n!.EndsWith("latest"));
        Assert.True(File.Exists(Path.Combine(layout, "oci-layout")));
        Assert.True(File.Exists(p.Dir.Combine("bin", "Debug", "site.tar.gz")));
        Assert.True(File.Exists(p.Dir.Combine("bin", "Debug", "site.acl")));
    }

    [Fact]
    public void The_engine_reports_layer_progress_at_normal_verbosity()
    {
        using var p = ProjectWithOneModule();
        var outcome = p.Build("Build");
        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Contains(outcome.Log.Messages, m => m.Importance <= Microsoft.Build.Framework.MessageImportance.Normal && m.Message!.Contains("modules/tool"));
    }

    [Fact]
    public void The_summary_line_names_every_output_and_a_no_op_prints_only_it()
    {
        using var p = ProjectWithOneModule("<ContainerArchiveOutputPath>bin/site.oci.tar</ContainerArchiveOutputPath><GenerateContainerSquashfs>true</GenerateContainerSquashfs>");
        string Out(string name) => Path.GetFullPath(p.Dir.Combine("bin", "Debug", name));
        string outputs = $"; bundle {Out("site.tar.gz")}; ACLs {Out("site.acl")}; SquashFS {Out("site.sqsh")}; SBOM {Out("site.cdx.json")}; archive {Path.GetFullPath(p.Dir.Combine("bin", "site.oci.tar"))}";
        static List<string> Shown(BuildOutcome outcome) =>
            outcome.Log.Messages.Where(m => m.Importance == Microsoft.Build.Framework.MessageImportance.High).Select(m => m.Message!).ToList();

        var first = p.Build("Build");
        Assert.True(first.Succeeded, first.ToString());
        var summary = Assert.Single(Shown(first), m => m.StartsWith("site -> ", StringComparison.Ordinal));
        Assert.EndsWith($" (layers: 1 built){outputs}", summary);
        // Work done shows at the default verbosity, as it finishes: the layer, the bundle, the SquashFS image.
        Assert.Contains(Shown(first), m => m.StartsWith("Layer 1/1 Module modules/tool -> /opt/tool: built ", StringComparison.Ordinal));
        Assert.Contains(Shown(first), m => m.StartsWith("Bundle ", StringComparison.Ordinal));
        Assert.Contains(Shown(first), m => m.StartsWith("SquashFS image ", StringComparison.Ordinal));

        var again = p.Build("Build");
        Assert.True(again.Succeeded, again.ToString());
        Assert.Equal(new[] { "site -> " }, Shown(again).Select(m => m[..8]));
        Assert.EndsWith($" (layers: 1 unchanged){outputs}", Shown(again)[0]);
    }

    [Fact]
    public void GenerateContainerBundle_false_writes_no_bundle()
    {
        using var p = ProjectWithOneModule("<GenerateContainerBundle>false</GenerateContainerBundle>");
        var outcome = p.Build("Build");
        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.True(File.Exists(p.Dir.Combine("bin", "Debug", "image", "index.json")));
        Assert.False(File.Exists(p.Dir.Combine("bin", "Debug", "site.tar.gz")));
        Assert.False(File.Exists(p.Dir.Combine("bin", "Debug", "site.acl")));
    }

    [Fact]
    public void Clean_removes_the_layout_the_bundle_its_acl_dump_and_the_engine_folder()
    {
        using var p = ProjectWithOneModule();
        var built = p.Build("Build");
        Assert.True(built.Succeeded, built.ToString());
        string layout = p.Dir.Combine("bin", "Debug", "image");
        string bundle = p.Dir.Combine("bin", "Debug", "site.tar.gz");
        string acl = p.Dir.Combine("bin", "Debug", "site.acl");
        string work = p.Dir.Combine("obj", "Debug", "container");
        Assert.True(Directory.Exists(layout) && File.Exists(bundle) && File.Exists(acl) && Directory.Exists(work));

        var cleaned = p.Build("Clean");
        Assert.True(cleaned.Succeeded, cleaned.ToString());
        Assert.False(Directory.Exists(layout), "layout still there");
        Assert.False(File.Exists(bundle), "bundle still there");
        Assert.False(File.Exists(acl), "acl dump still there");
        Assert.False(Directory.Exists(work), "engine folder still there");
        Assert.True(Directory.Exists(p.Dir.Combine("modules", "tool", "bin")), "Clean must never touch inputs");
    }

    [Fact]
    public void Rebuild_cleans_then_writes_the_same_image_again()
    {
        using var p = ProjectWithOneModule();
        var first = p.Build("Build");
        Assert.True(first.Succeeded, first.ToString());
        var rebuilt = p.Build("Rebuild");
        Assert.True(rebuilt.Succeeded, rebuilt.ToString());
        Assert.Equal(Assert.Single(first.Result.ResultsByTarget["Build"].Items).GetMetadata("Digest"),
            Assert.Single(rebuilt.Result.ResultsByTarget["Rebuild"].Items).GetMetadata("Digest"));
        Assert.True(File.Exists(p.Dir.Combine("bin", "Debug", "site.tar.gz")));
    }

    [Fact]
    public void Clean_does_not_remove_a_layout_path_that_is_not_an_image_layout()
    {
        using var p = ProjectWithOneModule("<ContainerImageLayoutPath>modules/</ContainerImageLayoutPath>");
        var cleaned = p.Build("Clean");
        Assert.True(cleaned.Succeeded, cleaned.ToString());
        Assert.True(File.Exists(p.Dir.Combine("modules", "tool", "bin", "hello")));
    }
}
