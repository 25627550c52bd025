using ContainerSdk.Core.Bundle;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Tests.Layers;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Bundle;

/// <summary>
/// The site issue 21 is about, built through the engine with the bundle and a SquashFS image: a busybox base with its own
/// accounts (and the issue's file: root:staff 0640, group::r--, group:100:r--, mask::rwx), a licensed suite
/// (group:licensed:r-x, group::---, other::---: exact), a module whose ACLs name two groups (narrowed) and a module of
/// plain modes, links, devices, empty folders and xattrs (unchanged). Run as root: the modules' owners, device nodes and
/// trusted. xattrs need it.
/// </summary>
internal sealed class SquashfsSite : IDisposable
{
    public const string Passwd = """
        root:x:0:0:root:/root:/bin/sh
        admin:x:2000:2000:suite admin:/home/admin:/bin/sh
        alice:x:2001:2001:licensed:/home/alice:/bin/sh
        bob:x:2002:2002:chem:/home/bob:/bin/sh
        carol:x:2003:2003:phys:/home/carol:/bin/sh
        dave:x:2004:2004:chem and phys:/home/dave:/bin/sh
        erin:x:2005:2005:staff:/home/erin:/bin/sh
        frank:x:2006:2006:users:/home/frank:/bin/sh
        gina:x:2007:2007:admin group:/home/gina:/bin/sh
        nobody:x:65534:65534:nobody:/nonexistent:/bin/sh

        """;

    public const string Group = """
        root:x:0:
        staff:x:50:erin
        users:x:100:frank
        admin:x:2000:gina
        alice:x:2001:
        bob:x:2002:
        carol:x:2003:
        dave:x:2004:
        erin:x:2005:
        frank:x:2006:
        gina:x:2007:
        licensed:x:3001:alice
        chem:x:3002:bob,dave
        phys:x:3003:carol,dave
        nogroup:x:65534:

        """;

    public const string SuiteAcls = """
        # file: opt/suite
        # owner: admin
        # group: admin
        user::rwx
        group::---
        group:licensed:r-x
        mask::r-x
        other::---

        # file: opt/suite/bin
        # owner: admin
        # group: admin
        user::rwx
        group::---
        group:licensed:r-x
        mask::r-x
        other::---

        # file: opt/suite/bin/run
        # owner: admin
        # group: admin
        user::rwx
        group::---
        group:licensed:r-x
        mask::r-x
        other::---

        # file: opt/suite/share/data.txt
        # owner: admin
        # group: admin
        user::rw-
        group::---
        group:licensed:r--
        mask::r--
        other::---


        """;

    public const string ChemPhysAcls = """
        # file: opt/chemphys/tool
        # owner: admin
        # group: admin
        user::rwx
        group::---
        group:chem:r-x
        group:phys:r--
        mask::r-x
        other::---

        # file: opt/chemphys/results
        # owner: admin
        # group: admin
        user::rwx
        group::---
        group:chem:rwx
        group:phys:r-x
        mask::rwx
        other::---


        """;

    /// <summary>The issue's own example: a plain OCI-to-SquashFS conversion gives staff rwx (the mask in the group bits).</summary>
    public const string IssueAcl = """
        # file: srv/report
        # owner: root
        # group: staff
        user::rw-
        group::r--
        group:100:r--
        mask::rwx
        other::---


        """;

    public const long Epoch = 1700000000;

    public EngineRun Run { get; }
    public string Image => Run.Dir.Combine("out", "site.sqsh");
    public string NarrowedList => Image + ".narrowed.txt";
    public string AclFile => Run.Dir.Combine("site.acl");
    public string PlainModule => Run.Dir.Combine("plain");
    public IReadOnlyList<LayerInput> Inputs { get; }

    private SquashfsSite(string prefix)
    {
        Run = new EngineRun(prefix);
        var root = Run.Dir.Path;
        Tools.Run("chmod", "755", root).EnsureSuccess("chmod"); // the principals walk into the extracted bundle below it

        var rootfs = Run.Dir.Combine("base");
        Tree.BusyboxRootfs(rootfs);
        Tree.File(rootfs, "etc/passwd", Passwd, "644");
        Tree.File(rootfs, "etc/group", Group, "644");
        Tree.File(rootfs, "srv/report", "quarterly numbers\n", "640");

        var suite = Run.Dir.Combine("suite");
        Tree.File(suite, "bin/run", "#!/bin/sh\necho suite\n", "755");
        Tree.File(suite, "share/data.txt", "licensed data\n", "644");
        Tree.Dir(suite, "share", "755");

        var chemphys = Run.Dir.Combine("chemphys");
        Tree.File(chemphys, "tool", "#!/bin/sh\necho tool\n", "755");
        Tree.HardLink(Path.Combine(chemphys, "tool"), Path.Combine(chemphys, "tool-again"));
        Tree.File(chemphys, "results/a.txt", "result\n", "644");
        Tree.Dir(chemphys, "results", "755");

        var plain = PlainModule;
        Tree.File(plain, "bin/prog", "#!/bin/sh\necho prog\n", "4755");
        Tree.HardLink(Path.Combine(plain, "bin", "prog"), Path.Combine(plain, "bin", "prog2"));
        Tree.File(plain, "lib/libx.so", new string('x', 300_000) + "\n", "644"); // more than two 128 KiB blocks
        File.CreateSymbolicLink(Path.Combine(plain, "lib", "libx.so.1"), "libx.so");
        Tree.File(plain, "lib/same.so", new string('x', 300_000) + "\n", "644");  // same content, shared blocks
        Tree.File(plain, "etc/secret.conf", "k=v\n", "600");
        Tree.Dir(plain, "empty", "700");
        Tree.Dir(plain, "scratch", "1777");
        Tree.Dir(plain, "shared", "2775");
        Tools.Run("mknod", "-m", "666", Path.Combine(plain, "null"), "c", "1", "3").EnsureSuccess("mknod");
        Tools.Run("mknod", "-m", "644", Path.Combine(plain, "fifo"), "p").EnsureSuccess("mknod");
        Tools.Run("setfattr", "-n", "user.note", "-v", "kept", Path.Combine(plain, "lib", "libx.so")).EnsureSuccess("setfattr user.");
        Tools.Run("setcap", "cap_net_raw+ep", Path.Combine(plain, "lib", "libx.so")).EnsureSuccess("setcap");

        // A vendor tarball: GNU tar keeps every xattr namespace, trusted. included, which a folder walk does not read.
        var vendor = Run.Dir.Combine("vendor");
        Tree.File(vendor, "lib/vendor.so", "vendor\n", "755");
        Tools.Run("setfattr", "-n", "trusted.origin", "-v", "vendor", Path.Combine(vendor, "lib", "vendor.so")).EnsureSuccess("setfattr trusted.");
        var vendorTar = Run.Dir.Combine("vendor.tar");
        Tools.Run(Tools.Require("tar"), "--xattrs", "--xattrs-include=*", "--sort=name", "--mtime=@0", "--numeric-owner", "-C", vendor, "-cf", vendorTar, ".")
            .EnsureSuccess("tar --xattrs");

        File.WriteAllText(AclFile, SuiteAcls + ChemPhysAcls + IssueAcl);
        Inputs = new[]
        {
            EngineRun.Base(rootfs), EngineRun.Module(suite, "/opt/suite"), EngineRun.Module(chemphys, "/opt/chemphys"), EngineRun.Module(plain, "/opt/plain"),
            EngineRun.Module(vendorTar, "/opt/vendor"),
        };
    }

    public static SquashfsSite Create(string prefix)
    {
        Tools.RequireRoot("the site's owners, device nodes and trusted. xattrs need root");
        foreach (var tool in new[] { "busybox", "setfattr", "setcap", "mknod" }) Tools.Require(tool);
        return new SquashfsSite(prefix);
    }

    public LayersResult Build(SquashfsAclPolicy policy = SquashfsAclPolicy.Narrow, SquashfsImageCompression compression = SquashfsImageCompression.Gzip,
        CancellationToken cancellation = default, IBuildLog? log = null) =>
        ContainerEngine.BuildLayers(EngineRun.Validate(Inputs), new[] { LayerInputs.Validate(new AclFileInput(AclFile)) },
            new LayerBuildOptions { Epoch = Epoch, WorkDirectory = Run.Work }, log ?? Run.Log, cancellation,
            new BundleOutput(Run.Bundle, Run.BundleAcl), squashfs: new SquashfsOutput(Image, compression, policy));

    public void Dispose() => Run.Dispose();
}
