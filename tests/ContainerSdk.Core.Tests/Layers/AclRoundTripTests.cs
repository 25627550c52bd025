using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Tests;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Inputs;

namespace ContainerSdk.Core.Tests.Layers;

/// <summary>
/// The promise of issue 3: ACLs from an AclFile (naming users only the image has) and ACLs set on disk
/// reach every place a user extracts the image or the bundle, identically.
/// </summary>
[Trait("Category", "EndToEnd")]
public class AclRoundTripTests
{
    private const string Dump = """
        # file: opt/m/data
        # owner: svc
        # group: licensed
        user::rwx
        user:svc:r-x
        group::r-x
        group:licensed:r-x
        mask::r-x
        other::---
        default:user::rwx
        default:group::r-x
        default:group:licensed:r-x
        default:mask::r-x
        default:other::---

        # file: tmp
        # flags: --t
        user::rwx
        group::rwx
        other::rwx
        default:user::rwx
        default:group::r-x
        default:other::---

        # file: etc/os-release
        user::rw-
        user:4242:r--
        group::r--
        mask::r--
        other::r--

        """;

    private static (EngineRun Run, IReadOnlyList<BuiltLayer> Layers) BuildSite(string dump)
    {
        var run = new EngineRun("acl");
        try
        {
            return (run, BuildSiteIn(run, dump));
        }
        catch
        {
            run.Dispose(); // a build that fails leaves no folder behind
            throw;
        }
    }

    private static IReadOnlyList<BuiltLayer> BuildSiteIn(EngineRun run, string dump)
    {
        var rootfs = Tree.Rootfs(run.Dir.Combine("base"));
        var mod = run.Dir.Combine("mod");
        Tree.Dir(mod, "data", "755");
        Tree.File(mod, "data/licensed.bin", "payload", "644");
        Tree.File(mod, "disk-acl.txt", "acl from disk", "644");
        Tools.Run(Tools.Require("setfacl"), "-m", "u:4343:rw-,g:4344:r--", Path.Combine(mod, "disk-acl.txt")).EnsureSuccess("setfacl");
        var aclFile = Tree.File(run.Dir.Path, "site.acl", dump);
        var inputs = new[] { EngineRun.Base(rootfs), EngineRun.Module(mod, "/opt/m") };
        var layers = run.Layers(inputs, aclFiles: new[] { new AclFileInput(aclFile) }, bundle: true);
        ContainerEngine.WriteImage(layers, new ImageSettings { Repository = "site", Tags = new[] { "t" } }, run.Layout, run.Log);
        return layers;
    }

    private static string GetFacl(string root, params string[] paths) =>
        Tools.Run(Tools.Require("getfacl"), new[] { "-n", "-p" }.Concat(paths.Select(p => Path.Combine(root, p))), workingDirectory: root)
            .EnsureSuccess("getfacl").StdOut.Replace(root, "");

    [Fact]
    public void Tar_acls_setfacl_restore_and_umoci_unpack_give_the_same_acls()
    {
        Tools.RequireRoot("extracting with owners and ACLs needs root");
        var tar = Tools.Require("tar");
        var umoci = Tools.Require("umoci");
        var (run, _) = BuildSite(Dump);
        using var _ = run;
        var paths = new[] { "opt/m/data", "opt/m/disk-acl.txt", "etc/os-release", "tmp" };

        var viaTarAcls = run.Dir.Combine("tar-acls");
        Directory.CreateDirectory(viaTarAcls);
        Tools.Run(tar, "--acls", "--numeric-owner", "-xpzf", run.Bundle, "-C", viaTarAcls).EnsureSuccess("tar --acls -x");

        var viaRestore = run.Dir.Combine("restore");
        Directory.CreateDirectory(viaRestore);
        Tools.Run(tar, "--no-acls", "--no-xattrs", "--numeric-owner", "-xpzf", run.Bundle, "-C", viaRestore).EnsureSuccess("tar -x");
        Assert.DoesNotContain("user:4242", GetFacl(viaRestore, "etc/os-release"));
        Tools.Run(Tools.Require("setfacl"), new[] { "--restore=" + run.BundleAcl }, workingDirectory: viaRestore).EnsureSuccess("setfacl --restore");

        var viaUmoci = run.Dir.Combine("umoci");
        Tools.Run(umoci, "unpack", "--image", run.Layout + ":t", viaUmoci).EnsureSuccess("umoci unpack");
        var umociRoot = Path.Combine(viaUmoci, "rootfs");

        var expected = GetFacl(viaTarAcls, paths);
        Assert.Contains("user:4100:r-x", expected);          // svc, a user only the image has
        Assert.Contains("default:group:4200:r-x", expected);  // licensed
        Assert.Contains("# owner: 4100", expected);
        Assert.Contains("user:4343:rw-", expected);           // set with setfacl on the module's file
        Assert.Contains("user:4242:r--", expected);           // numeric qualifier, on a base file
        Assert.Contains("# flags: --t\nuser::rwx\ngroup::rwx\nother::rwx\ndefault:user::rwx", expected); // default ACL only
        Assert.Equal(expected, GetFacl(viaRestore, paths));
        Assert.Equal(expected, GetFacl(umociRoot, paths));

        // The tar header's group bits follow the mask, as the kernel keeps them.
        Assert.Equal("750", Tools.Run("stat", "-c", "%a", Path.Combine(viaTarAcls, "opt/m/data")).StdOut.Trim());
    }

    [Fact]
    public void Changing_an_acl_entry_changes_only_the_layer_that_carries_the_path()
    {
        var (a, la) = BuildSite(Dump);
        var (b, lb) = BuildSite(Dump.Replace("user:4242:r--", "user:4242:rw-").Replace("mask::r--", "mask::rw-"));
        using (a) using (b)
        {
            Assert.NotEqual(la[0].Descriptor.Digest, lb[0].Descriptor.Digest); // etc/os-release lives in the base
            Assert.Equal(la[1].Descriptor.Digest, lb[1].Descriptor.Digest);
        }
    }

    [Theory]
    [InlineData("# file: opt/m/data\nuser::rwx\nuser:nobody-in-image:r-x\ngroup::r-x\nmask::r-x\nother::---\n", Codes.AclUnknownName, 3)]
    [InlineData("# file: opt/m/missing\nuser::rwx\ngroup::r-x\nother::---\n", Codes.AclPathNotFound, 1)]
    [InlineData("# file: opt/m/data\nuser::rwx\ngroup::r-y\nother::---\n", Codes.AclSyntax, 3)]
    public void A_bad_acl_line_stops_the_build_at_its_line(string dump, string code, int line)
    {
        var e = Assert.Throws<ContainerSdkException>(() => BuildSite(dump));
        Assert.Equal(code, e.Code);
        Assert.Equal(line, e.Line);
        Assert.EndsWith("site.acl", e.File);
    }
}
