using System.Text.Json;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Layers;

public class LayerStackBuilderTests
{
    private static string[] TarList(string tarball) =>
        Tools.Run(Tools.Require("tar"), "--numeric-owner", "-tvzf", tarball).EnsureSuccess("tar -tv").StdOut
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Same_inputs_with_different_file_times_give_the_same_digests()
    {
        using var a = new EngineRun();
        using var b = new EngineRun();
        foreach (var run in new[] { a, b })
        {
            Tree.Rootfs(run.Dir.Combine("base"));
            Tree.File(run.Dir.Combine("mod"), "bin/tool", "#!/bin/sh\necho hi\n", "755");
        }
        File.SetLastWriteTimeUtc(b.Dir.Combine("mod", "bin", "tool"), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var ra = a.Build(new[] { EngineRun.Base(a.Dir.Combine("base")), EngineRun.Module(a.Dir.Combine("mod"), "/opt/tool") }, epoch: 1700000000);
        var rb = b.Build(new[] { EngineRun.Base(b.Dir.Combine("base")), EngineRun.Module(b.Dir.Combine("mod"), "/opt/tool") }, epoch: 1700000000);

        Assert.Equal(ra.Image.ManifestDigest, rb.Image.ManifestDigest);
        Assert.Equal(ra.Layers.Select(l => l.Descriptor.Digest), rb.Layers.Select(l => l.Descriptor.Digest));
        Assert.Equal(File.ReadAllBytes(a.Bundle), File.ReadAllBytes(b.Bundle));

        var other = b.Build(new[] { EngineRun.Base(b.Dir.Combine("base")), EngineRun.Module(b.Dir.Combine("mod"), "/opt/tool") }, epoch: 1700000001);
        Assert.NotEqual(ra.Image.ManifestDigest, other.Image.ManifestDigest);
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Module_lands_under_its_target_with_parents_copied_from_below_and_entries_sorted()
    {
        using var run = new EngineRun();
        var rootfs = Tree.Rootfs(run.Dir.Combine("base"));
        Tree.Dir(rootfs, "opt", "750"); // the module's parent keeps it
        var mod = run.Dir.Combine("mod");
        Tree.File(mod, "b.txt", "b");
        Tree.File(mod, "a-b/x", "x");
        Tree.File(mod, "a/y", "y");
        var (layers, _) = run.Build(new[] { EngineRun.Base(rootfs), EngineRun.Module(mod, "/opt/suite") });

        var lines = Tools.Run("sh", "-c", $"gzip -dc '{layers[1].BlobPath}' | tar --numeric-owner -tvf -").EnsureSuccess("list").StdOut
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var names = lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[5]).ToArray();
        Assert.Equal(new[] { "opt/", "opt/suite/", "opt/suite/a/", "opt/suite/a/y", "opt/suite/a-b/", "opt/suite/a-b/x", "opt/suite/b.txt" }, names);
        Assert.StartsWith("drwxr-x--- 0/0", lines[0]);
        Assert.All(lines, l => Assert.Contains(" 0/0 ", l));
        Assert.All(lines, l => Assert.Contains("1970-01-01 00:00", l));
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Tarball_module_keeps_recorded_owners_links_and_special_modes()
    {
        using var run = new EngineRun();
        var rootfs = Tree.Rootfs(run.Dir.Combine("base"));
        var src = run.Dir.Combine("src");
        // Names chosen so that sorting puts the hard link before the file it was made from.
        Tree.File(src, "z-original", "shared content");
        File.CreateSymbolicLink(Path.Combine(src, "link"), "z-original");
        Tree.File(src, "suid", "x", "4755");
        Tools.Run("ln", Path.Combine(src, "z-original"), Path.Combine(src, "a-hardlink")).EnsureSuccess("ln");
        var tgz = run.Dir.Combine("mod.tar.gz");
        Tools.Run(Tools.Require("tar"), "-C", src, "--owner=1234", "--group=5678", "--numeric-owner", "-czf", tgz, "z-original", "link", "suid", "a-hardlink")
            .EnsureSuccess("tar -czf");

        var (layers, _) = run.Build(new[] { EngineRun.Base(rootfs), EngineRun.Module(tgz, "/opt/t") });

        var extract = run.Dir.Combine("x");
        Directory.CreateDirectory(extract);
        Tools.Run("sh", "-c", $"gzip -dc '{layers[1].BlobPath}' | tar --numeric-owner -xpf - -C '{extract}'").EnsureSuccess("extract");
        var st = (string p) => Tools.Run("stat", "-c", "%u:%g %a %h %i %F", Path.Combine(extract, "opt/t", p)).EnsureSuccess("stat").StdOut.Trim().Split(' ');
        Assert.Equal("1234:5678", st("z-original")[0]);
        Assert.Equal("4755", st("suid")[1]);
        Assert.Equal(st("z-original")[3], st("a-hardlink")[3]);
        Assert.Equal("z-original", new FileInfo(Path.Combine(extract, "opt/t/link")).LinkTarget);
        Assert.Equal("shared content", File.ReadAllText(Path.Combine(extract, "opt/t/a-hardlink")));
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Owner_names_resolve_in_the_image_not_on_the_build_machine()
    {
        using var run = new EngineRun();
        var rootfs = Tree.Rootfs(run.Dir.Combine("base"));
        var mod = run.Dir.Combine("mod");
        Tree.File(mod, "f", "x");
        var layers = run.Layers(new[] { EngineRun.Base(rootfs), EngineRun.Module(mod, "/opt/m") with { Owner = "svc", Group = "licensed" } });
        var list = Tools.Run("sh", "-c", $"gzip -dc '{layers[1].BlobPath}' | tar --numeric-owner -tvf -").EnsureSuccess("list").StdOut;
        Assert.Contains("4100/4200", list.Split('\n').Single(l => l.EndsWith("opt/m/f")));
        Assert.Contains("0/0", list.Split('\n').Single(l => l.EndsWith(" opt/")));

        var e = Assert.Throws<ContainerSdkException>(() =>
            run.Layers(new[] { EngineRun.Base(rootfs), EngineRun.Module(mod, "/opt/m") with { Owner = "nobody-here" } }));
        Assert.Equal(Codes.UnknownOwner, e.Code);
        Assert.Contains("nobody-here", e.Message);
        Assert.Contains("/etc/passwd", e.Message);
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Bundle_applies_later_layers_and_whiteouts()
    {
        using var run = new EngineRun();
        var rootfs = Tree.Rootfs(run.Dir.Combine("base"));
        Tree.File(rootfs, "opt/old/keep", "old");
        Tree.File(rootfs, "opt/old/sub/deep", "deep");
        Tree.File(rootfs, "etc/motd", "base motd");
        Tree.File(rootfs, "var/dir-becomes-file/inner", "gone");
        var mod = run.Dir.Combine("mod");
        Tree.File(mod, "etc/motd", "module motd");
        Tree.File(mod, "var/dir-becomes-file", "now a file");

        run.Build(new[] { EngineRun.Base(rootfs), EngineRun.Module(mod) with { Remove = new[] { "/opt/old" } } });

        var names = TarList(run.Bundle).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[5]).ToArray();
        Assert.DoesNotContain(names, n => n.StartsWith("opt/old"));
        Assert.DoesNotContain(names, n => n.Contains(".wh."));
        Assert.DoesNotContain("var/dir-becomes-file/inner", names);
        Assert.Contains("var/dir-becomes-file", names);
        Assert.Equal(names.Length, names.Distinct().Count());
        var motd = Tools.Run("tar", "-xzOf", run.Bundle, "etc/motd").EnsureSuccess("tar -xO").StdOut;
        Assert.Equal("module motd", motd);
        Assert.True(File.Exists(run.BundleAcl));
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Bundle_keeps_a_hard_link_whose_target_a_higher_layer_replaced()
    {
        using var run = new EngineRun();
        var rootfs = Tree.Rootfs(run.Dir.Combine("base"));
        Tree.File(rootfs, "data/a", "original");
        Tools.Run("ln", Path.Combine(rootfs, "data/a"), Path.Combine(rootfs, "data/b")).EnsureSuccess("ln");
        var mod = run.Dir.Combine("mod");
        Tree.File(mod, "data/a", "replaced");

        run.Build(new[] { EngineRun.Base(rootfs), EngineRun.Module(mod) });

        Assert.Equal("replaced", Tools.Run("tar", "-xzOf", run.Bundle, "data/a").EnsureSuccess("a").StdOut);
        Assert.Equal("original", Tools.Run("tar", "-xzOf", run.Bundle, "data/b").EnsureSuccess("b").StdOut);
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Image_layout_is_accepted_by_umoci_and_keeps_modes_links_and_owners()
    {
        var umoci = Tools.Require("umoci");
        Tools.RequireRoot("umoci unpack applies owners only as root");
        using var run = new EngineRun();
        var rootfs = Tree.Rootfs(run.Dir.Combine("base"));
        var mod = run.Dir.Combine("mod");
        Tree.File(mod, "bin/run", "#!/bin/sh\n", "6755");
        File.CreateSymbolicLink(Path.Combine(mod, "bin/alias"), "run");
        run.Build(new[] { EngineRun.Base(rootfs), EngineRun.Module(mod, "/opt/m") });

        var bundle = run.Dir.Combine("unpacked");
        Tools.Run(umoci, "unpack", "--image", run.Layout + ":1.0", bundle).EnsureSuccess("umoci unpack");
        var rootfsOut = Path.Combine(bundle, "rootfs");
        Assert.Equal("1777", Tools.Run("stat", "-c", "%a", Path.Combine(rootfsOut, "tmp")).StdOut.Trim());
        Assert.Equal("6755", Tools.Run("stat", "-c", "%a", Path.Combine(rootfsOut, "opt/m/bin/run")).StdOut.Trim());
        Assert.Equal("run", new FileInfo(Path.Combine(rootfsOut, "opt/m/bin/alias")).LinkTarget);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(bundle, "config.json")));
        Assert.Contains(config.RootElement.GetProperty("process").GetProperty("env").EnumerateArray(), e => e.GetString()!.StartsWith("PATH="));
    }
}
