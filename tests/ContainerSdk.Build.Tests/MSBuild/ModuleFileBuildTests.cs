using Microsoft.Build.Framework;

namespace ContainerSdk.Build.Tests.MSBuild;

/// <summary>
/// ModuleFile at the MSBuild level: bad modulefiles stop the build at their file and line with nothing written; an
/// unprovided dependency is a warning at its line; a changed modulefile rebuilds its layer and the image, nothing else.
/// </summary>
[Collection(InProcessMSBuild.Name)]
public sealed class ModuleFileBuildTests
{
    private static SdkProject Project(string moduleFile, string text, string extraMetadata = "")
    {
        var p = new SdkProject($"""
            <ItemGroup>
              <Module Include="modules/a" TargetPath="/opt/a" />
              <Module Include="modules/b" TargetPath="/opt/b" ModuleFile="{moduleFile}" {extraMetadata}/>
            </ItemGroup>
            """);
        foreach (var m in new[] { "a", "b" })
        {
            Directory.CreateDirectory(p.Dir.Combine("modules", m));
            File.WriteAllText(p.Dir.Combine("modules", m, "file.txt"), $"module {m}\n");
            File.SetLastWriteTimeUtc(p.Dir.Combine("modules", m, "file.txt"), DateTime.UtcNow.AddMinutes(-5));
        }
        if (text.Length > 0)
        {
            var path = p.Dir.Combine(moduleFile.Split('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }
        return p;
    }

    [Theory]
    [InlineData("mf/b/1.lua", "local root = \"/sw/b\"\nprepend_path(\"PATH\", root .. \"/bin\"\n", "CSDK1050", 3)]
    [InlineData("mf/b/1.lua", "local root = \"/sw/b\"\nwhile root do\n  prepend_path(\"PATH\", pathJoin(root, d))\nend\n", "CSDK1051", 2)]
    [InlineData("mf/b/1", "#%Module\nset root /sw/b\n\nsource-sh bash $root/env.sh\n", "CSDK1055", 4)]
    [InlineData("mf/b/1.lua", "setenv(\"B\", \"1\")\nlocal f = io.popen(\"/sw/b/env.sh\")\n", "CSDK1051", 2)]
    [InlineData("mf/b/1", "#%Module\nsetenv B_HOME $env(B_SITE)/b\n", "CSDK1052", 2)]
    public void A_bad_modulefile_is_a_coded_error_at_its_file_and_line_and_no_image_is_written(string moduleFile, string text, string code, int line)
    {
        using var p = Project(moduleFile, text);
        var outcome = p.Build("Build");
        Assert.False(outcome.Succeeded);
        var error = Assert.Single(outcome.Log.Errors);
        Assert.Equal((code, p.Dir.Combine(moduleFile.Split('/')), line), (error.Code, error.File, error.LineNumber));
        Assert.DoesNotContain("   at ", error.Message);
        Assert.False(File.Exists(p.Dir.Combine("bin", "Debug", "image", "index.json")));
    }

    [Fact]
    public void A_missing_modulefile_is_CSDK1001_at_the_item()
    {
        using var p = Project("mf/b/1.lua", "");
        var outcome = p.Build("Build");
        var error = Assert.Single(outcome.Log.Errors);
        Assert.Equal(("CSDK1001", p.ProjectPath, p.LineOf("ModuleFile=")), (error.Code, error.File, error.LineNumber));
        Assert.Contains(p.Dir.Combine("mf", "b", "1.lua"), error.Message);
        Assert.False(File.Exists(p.Dir.Combine("bin", "Debug", "image", "index.json")));
    }

    [Fact]
    public void A_dependency_no_earlier_item_provides_is_a_warning_at_its_line()
    {
        using var p = Project("mf/b/1.lua", "whatis(\"b\")\n\ndepends_on(\"gcc/12\")\nsetenv(\"B\", \"1\")\n");
        var outcome = p.Build("Build");
        Assert.True(outcome.Succeeded, outcome.ToString());
        var warning = Assert.Single(outcome.Log.Warnings, w => w.Code == "CSDK5010");
        Assert.Equal((p.Dir.Combine("mf", "b", "1.lua"), 3), (warning.File, warning.LineNumber));
        Assert.Contains("gcc/12", warning.Message);
        Assert.Contains("modules/b", warning.Message);
    }

    [Fact]
    public void A_changed_modulefile_rebuilds_its_layer_and_the_image_and_nothing_else()
    {
        using var p = Project("mf/b/1.lua", "local root = \"/sw/b\"\nprepend_path(\"LD_LIBRARY_PATH\", pathJoin(root, \"lib\"))\n",
            """Environment="B_LIB=$LD_LIBRARY_PATH" """);
        var first = p.Build("Build");
        Assert.True(first.Succeeded, first.ToString());
        var env = ConfigEnv(p);
        Assert.Contains("LD_LIBRARY_PATH=/opt/b/lib", env);
        Assert.Contains("MODULEPATH=/opt/modulefiles", env);

        var second = p.Build("Build");
        Assert.Contains(second.Log.Messages.OfType<TargetSkippedEventArgs>(), s => s.TargetName == "_ContainerWriteImageCore");

        File.WriteAllText(p.Dir.Combine("mf", "b", "1.lua"), "local root = \"/sw/b\"\nprepend_path(\"LD_LIBRARY_PATH\", pathJoin(root, \"lib64\"))\n");
        var third = p.Build("Build");
        Assert.True(third.Succeeded, third.ToString());
        Assert.Single(third.Log.Messages, m => m.Message!.Contains(": built "));
        Assert.Single(third.Log.Messages, m => m.Message!.Contains(": unchanged (sha256:"));
        Assert.DoesNotContain(third.Log.Messages.OfType<TargetSkippedEventArgs>(), s => s.TargetName == "_ContainerWriteImageCore");
        env = ConfigEnv(p);
        Assert.Contains("LD_LIBRARY_PATH=/opt/b/lib64", env);
        Assert.Contains("B_LIB=/opt/b/lib64", env);
    }

    [Fact]
    public void Load_messages_are_build_messages_and_commands_at_load_a_warning_at_their_line()
    {
        using var p = Project("mf/b/1.lua", "local root = \"/sw/b\"\nsetenv(\"B_HOME\", root)\nexecute{cmd=\"source \" .. root .. \"/init.\" .. myShellType(), modeA={\"load\"}}\n"
            + "if mode() == \"load\" then\n  io.stderr:write(\"To run b: b --help\\n\")\nend\n");
        var outcome = p.Build("Build");
        Assert.True(outcome.Succeeded, outcome.ToString());
        var warning = Assert.Single(outcome.Log.Warnings);
        Assert.Equal(("CSDK1054", p.Dir.Combine("mf", "b", "1.lua"), 3), (warning.Code, warning.File, warning.LineNumber));
        Assert.Contains("'source /opt/b/init.sh' at module load inside the image", warning.Message);
        Assert.Contains(outcome.Log.Messages, m => m.Importance <= MessageImportance.Normal && m.Message == "Module 'modules/b' says: To run b: b --help");
        Assert.Contains("B_HOME=/opt/b", ConfigEnv(p));
    }

    [Fact]
    public void The_site_package_lets_modulefiles_call_its_functions_and_a_changed_one_reruns_the_image_step()
    {
        using var p = Project("mf/b/1.lua", "local root = \"/sw/b\"\nsetenv(\"B_HOME\", site_home(root))\nfamily(\"tool\")\n");
        Directory.CreateDirectory(p.Dir.Combine("lmod"));
        File.WriteAllText(p.Dir.Combine("lmod", "SitePackage.lua"), "function site_home(root) return root .. \"/home\" end\nsandbox_registration{ site_home = site_home }\n");
        var none = p.Build("Build");
        Assert.False(none.Succeeded);
        Assert.Equal(("CSDK1051", 2), (Assert.Single(none.Log.Errors).Code, Assert.Single(none.Log.Errors).LineNumber));

        var missing = p.Build(new[] { "Build" }, new Dictionary<string, string> { ["ContainerLmodSitePackage"] = "lmod/Missing.lua" });
        Assert.Equal(("CSDK3020", p.ProjectPath), (Assert.Single(missing.Log.Errors).Code, Assert.Single(missing.Log.Errors).File));

        var site = new Dictionary<string, string> { ["ContainerLmodSitePackage"] = "lmod/SitePackage.lua" };
        var first = p.Build(new[] { "Build" }, site);
        Assert.True(first.Succeeded, first.ToString());
        Assert.Contains("B_HOME=/opt/b/home", ConfigEnv(p));
        Assert.Contains("LMOD_FAMILY_TOOL=b", ConfigEnv(p));
        Assert.Contains("LMOD_FAMILY_TOOL_VERSION=1", ConfigEnv(p));

        File.WriteAllText(p.Dir.Combine("lmod", "SitePackage.lua"), "function site_home(root) return root .. \"/share\" end\nsandbox_registration{ site_home = site_home }\n");
        var second = p.Build(new[] { "Build" }, site);
        Assert.True(second.Succeeded, second.ToString());
        Assert.DoesNotContain(second.Log.Messages.OfType<TargetSkippedEventArgs>(), s => s.TargetName == "_ContainerWriteImageCore");
        Assert.Contains("B_HOME=/opt/b/share", ConfigEnv(p));
    }

    private static IReadOnlyList<string> ConfigEnv(SdkProject p)
    {
        var layout = p.Dir.Combine("bin", "Debug", "image");
        string Blob(string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);
        var index = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!;
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Blob(index["manifests"]![0]!["digest"]!.GetValue<string>())))!;
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Blob(manifest["config"]!["digest"]!.GetValue<string>())))!;
        return config["config"]!["Env"]!.AsArray().Select(e => e!.GetValue<string>()).ToArray();
    }
}
