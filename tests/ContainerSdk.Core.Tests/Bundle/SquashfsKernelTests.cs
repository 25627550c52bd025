using ContainerSdk.Core.Acl;
using ContainerSdk.Core.Tar;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Bundle;

/// <summary>
/// The kernel decides (issue 21): the bundle extracted with <c>tar --acls</c> onto a file system with ACLs, and the image
/// mounted by the kernel (loop, read-only: every write is refused) and by squashfuse (default_permissions: the kernel
/// checks the modes, writes included). Each
/// principal, made from the image's own /etc/passwd and /etc/group, asks access(2) for every r/w/x set of every path
/// (setpriv; not root, whom CAP_DAC_OVERRIDE lets past both): the image never says yes where the ACL says no; where the ACL
/// names one group and no user, and where there is no ACL, every answer is the same. Then the image's /bin/sh runs under
/// chroot, as Apptainer runs it.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class SquashfsKernelTests
{
    private sealed record Principal(string Name, uint Uid, uint Gid, uint[] Groups);

    [Fact]
    public void The_image_never_grants_what_the_acls_refuse_on_the_kernel_and_squashfuse()
    {
        var perl = Tools.Require("perl");
        Tools.Require("setpriv");
        var tar = Tools.Require("tar");
        var squashfuse = Tools.Require("squashfuse");
        using var site = SquashfsSite.Create("sqkern");
        site.Build(cancellation: TestContext.Current.CancellationToken);

        var extracted = Directory.CreateDirectory(site.Run.Dir.Combine("extracted")).FullName;
        Tools.Run(tar, "--acls", "--xattrs", "--numeric-owner", "-xpzf", site.Run.Bundle, "-C", extracted).EnsureSuccess("tar --acls -x");
        var kernel = Directory.CreateDirectory(site.Run.Dir.Combine("kernel")).FullName;
        var fuse = Directory.CreateDirectory(site.Run.Dir.Combine("fuse")).FullName;
        Tools.Run("mount", "-t", "squashfs", "-o", "loop,ro", site.Image, kernel).EnsureSuccess("mount -t squashfs");
        try
        {
            Tools.Run(squashfuse, "-o", "allow_other,default_permissions", site.Image, fuse).EnsureSuccess("squashfuse");
            try
            {
                var bundle = SquashfsListing.Read(SquashfsListing.Gunzip(site.Run.Bundle, site.Run.Dir.Combine("bundle.tar")));
                var paths = bundle.Values.Select(v => v.Entry)
                    .Where(e => e.Type != TarEntryType.SymbolicLink && (e.Path.StartsWith("opt/", StringComparison.Ordinal) || e.Path.StartsWith("srv/", StringComparison.Ordinal)))
                    .Select(e => e.Path).Order(StringComparer.Ordinal).ToList();
                // Where the image must answer as the ACL does: AclNarrowing says exact (no ACL, or one named group and no
                // named user, as the licensed suite's); a hard link is its target's inode.
                // access(2) walks the folders above a path too, so they must be exact as well.
                bool Exact(string p)
                {
                    if (!bundle.ContainsKey(p)) return true;
                    var (entry, acl) = bundle[p].Entry.Type == TarEntryType.HardLink ? bundle[bundle[p].Entry.Link] : bundle[p];
                    return AclNarrowing.ModeFromAcl((uint)entry.Uid, (uint)entry.Gid, entry.Mode, entry.Type == TarEntryType.Directory, acl).Exact
                        && (TarPath.Parent(p) is not { } parent || Exact(parent));
                }
                var exact = paths.Where(Exact).ToHashSet();
                Assert.Contains("opt/suite/bin/run", exact);
                Assert.Contains("opt/suite", exact);
                Assert.DoesNotContain("opt/chemphys/tool-again", exact);
                Assert.DoesNotContain("opt/chemphys/results/a.txt", exact); // its folder is narrowed
                Assert.DoesNotContain("srv/report", exact);

                var principals = Principals(File.ReadAllText(Path.Combine(kernel, "etc/passwd")), File.ReadAllText(Path.Combine(kernel, "etc/group")));
                Assert.Contains(principals, p => p.Name == "dave" && p.Groups.Length == 2); // in both named groups
                int compared = 0, narrowedAway = 0;
                foreach (var who in principals)
                {
                    var byAcl = Access(perl, who, extracted, paths);
                    var byKernel = Access(perl, who, kernel, paths);
                    var byFuse = Access(perl, who, fuse, paths);
                    for (int i = 0; i < paths.Count; i++)
                        for (int want = 1; want <= 7; want++)
                        {
                            bool acl = byAcl[i][want - 1] == '1', image = byKernel[i][want - 1] == '1', viaFuse = byFuse[i][want - 1] == '1';
                            var asking = $"{who.Name} (uid {who.Uid} gid {who.Gid} groups [{string.Join(",", who.Groups)}]) asking {AclEntry.PermsText(want)} of /{paths[i]}";
                            Assert.False(image && !acl, $"the kernel mount grants what the ACL refuses: {asking}");
                            Assert.False(viaFuse && !acl, $"squashfuse grants what the ACL refuses: {asking}");
                            // The kernel refuses every write to a read-only mount (EROFS); squashfuse's mount lets the modes decide.
                            if ((want & 2) == 0) Assert.True(image == viaFuse, $"the kernel mount says {image}, squashfuse {viaFuse}: {asking}");
                            if (exact.Contains(paths[i])) Assert.True(viaFuse == acl, $"the ACL says {acl}, the image's modes {viaFuse}: {asking}");
                            if (acl && !viaFuse) narrowedAway++;
                            compared++;
                        }
                }
                Assert.True(narrowedAway > 0, "the narrowed paths lose something for someone");
                Assert.Equal(principals.Count * paths.Count * 7, compared);

                // The issue's file: staff may read, never write or run, whatever the mask said.
                var erin = principals.Single(p => p.Name == "erin");
                var report = Access(perl, erin, kernel, new[] { "srv/report" })[0];
                Assert.Equal("0001000", report); // only r (4) of 1..7
            }
            finally { Tools.Run("umount", fuse); }
        }
        finally { Tools.Run("umount", kernel); }
    }

    [Fact]
    public void The_images_shell_runs_under_chroot_and_the_licensed_suite_only_for_the_licensed()
    {
        using var site = SquashfsSite.Create("sqchroot");
        site.Build(cancellation: TestContext.Current.CancellationToken);
        var mount = Directory.CreateDirectory(site.Run.Dir.Combine("mnt")).FullName;
        Tools.Run("mount", "-t", "squashfs", "-o", "loop,ro", site.Image, mount).EnsureSuccess("mount -t squashfs");
        try
        {
            Assert.Equal("ok", Tools.Run("chroot", mount, "/bin/sh", "-c", "echo ok").EnsureSuccess("chroot /bin/sh").StdOut.Trim());
            // alice is in licensed: she runs the suite; bob is not.
            Assert.Equal("suite", Tools.Run("chroot", "--userspec=2001:2001", "--groups=3001", mount, "/opt/suite/bin/run").EnsureSuccess("chroot as alice").StdOut.Trim());
            Assert.NotEqual(0, Tools.Run("chroot", "--userspec=2002:2002", "--groups=3002", mount, "/opt/suite/bin/run").ExitCode);
        }
        finally { Tools.Run("umount", mount); }
    }

    /// <summary>Every user but root, with its primary group and the groups that list it.</summary>
    private static List<Principal> Principals(string passwd, string group)
    {
        var members = group.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':'))
            .SelectMany(f => f[3].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(m => (Member: m, Gid: uint.Parse(f[2]))))
            .ToLookup(m => m.Member, m => m.Gid);
        return passwd.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':'))
            .Where(f => f[2] != "0")
            .Select(f => new Principal(f[0], uint.Parse(f[2]), uint.Parse(f[3]), members[f[0]].Order().ToArray()))
            .ToList();
    }

    /// <summary>access(2) for r/w/x sets 1..7 of each path below <paramref name="root"/>, as the principal: one "0101..." line per path.</summary>
    private static string[] Access(string perl, Principal who, string root, IReadOnlyList<string> paths)
    {
        var args = new List<string> { $"--reuid={who.Uid}", $"--regid={who.Gid}" };
        args.Add(who.Groups.Length == 0 ? "--clear-groups" : $"--groups={string.Join(",", who.Groups)}");
        args.AddRange(new[] { perl, "-MPOSIX", "-e", "for $p (@ARGV) { print join('', map { POSIX::access($p, $_) ? 1 : 0 } 1..7), qq(\\n) }" });
        args.AddRange(paths.Select(p => Path.Combine(root, p)));
        var answers = Tools.Run("setpriv", args).EnsureSuccess($"setpriv as {who.Name}").StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(paths.Count, answers.Length);
        return answers;
    }
}
