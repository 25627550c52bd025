using ContainerSdk.Core.Acl;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Acl;

/// <summary>
/// The kernel judges: each ACL is set with setfacl on a real file or folder, and beside it a twin without an ACL gets
/// the owner, group and mode <see cref="AclNarrowing.ModeFromAcl"/> chose, as SquashFS would hold them. Processes of
/// several users and groups (setpriv; not root, whom CAP_DAC_OVERRIDE lets past both) ask access(2) for every set of
/// r, w and x at once: the twin never grants what the ACL refuses, and grants exactly the same where the function says
/// exact. The same answers also check the model the exhaustive test trusts (<see cref="KernelAccess"/>).
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class AclNarrowingKernelTests
{
    // Ids that name nobody here: owner, two named users, the owning group ("staff"), two named groups ("100",
    // "licensed") and a group no ACL names.
    private const uint Owner = 4240, User1 = 4242, User2 = 4243, Nobody = 4250;
    private const uint Staff = 4340, Group100 = 4341, Licensed = 4342, Unnamed = 4343;

    private static readonly (string Name, bool Folder, string Mode, string Acl)[] Cases =
    {
        ("issue", false, "640", $"g::r--,g:{Group100}:r--,m::rwx"),
        ("licensed", false, "750", $"g::---,g:{Licensed}:r-x,m::r-x,o::---"),
        ("licensed-setgid", false, "2750", $"g::---,g:{Licensed}:r-x,m::r-x,o::---"),
        ("licensed-folder", true, "2750", $"g::---,g:{Licensed}:r-x,m::r-x,o::---"),
        ("two-groups", false, "750", $"g::r-x,g:{Group100}:r--,g:{Licensed}:rwx,m::rwx,o::---"),
        ("two-groups-folder", true, "770", $"g::r-x,g:{Group100}:rwx,g:{Licensed}:-wx,m::rwx,o::--x"),
        ("incomparable", false, "660", $"g::r--,g:{Group100}:-w-,m::rwx,o::---"),
        ("named-user", false, "644", $"u:{User1}:rw-,g::r--,m::rw-,o::r--"),
        ("named-users-and-group", false, "754", $"u:{User1}:rwx,u:{User2}:r--,g::r-x,g:{Licensed}:rwx,m::rwx,o::r--"),
        ("named-owner", false, "640", $"u:{Owner}:rwx,g:{Licensed}:rw-,g::---,m::rwx,o::---"),
        ("user-denied-others-read", false, "644", $"u:{User1}:---,g::r--,m::r--,o::r--"),
        ("mask-none", false, "644", $"u:{User1}:rw-,g::r--,m::---,o::r--"),
        ("mask-narrows-group", false, "664", $"g::rw-,m::r--,o::r--"),
    };

    // uid, primary gid, supplementary gids.
    private static readonly (uint Uid, uint Gid, uint[] Groups)[] Principals =
    {
        (Owner, Unnamed, Array.Empty<uint>()),
        (Nobody, Staff, Array.Empty<uint>()),
        (Nobody, Group100, Array.Empty<uint>()),
        (Nobody, Licensed, Array.Empty<uint>()),
        (Nobody, Unnamed, new[] { Group100, Licensed }),
        (Nobody, Unnamed, new[] { Staff, Licensed }),
        (Nobody, Unnamed, Array.Empty<uint>()),
        (User1, Unnamed, Array.Empty<uint>()),
        (User1, Staff, Array.Empty<uint>()),
        (User1, Licensed, new[] { Group100 }),
        (User2, Unnamed, new[] { Staff, Group100, Licensed }),
    };

    [Fact]
    public void The_image_mode_never_grants_what_the_acl_refuses()
    {
        Tools.RequireRoot("setpriv switches to other users and chown gives files to them");
        var perl = Tools.Require("perl");
        Tools.Require("setpriv");
        using var tree = AclTree.Create();
        Tools.Run("chmod", "755", tree.Root).EnsureSuccess("chmod");

        var files = new List<(string Name, string Path, PosixAcl Acl, NarrowedMode Image)>();
        foreach (var (name, folder, mode, acl) in Cases)
        {
            var original = folder ? tree.Folder("acl-" + name) : tree.File("acl-" + name);
            Tools.Run("chown", $"{Owner}:{Staff}", original).EnsureSuccess("chown");
            Tools.Run("chmod", mode, original).EnsureSuccess("chmod");
            tree.SetFacl("acl-" + name, "-m", acl);
            var read = DiskAcl.Read(original)?.Access;
            Assert.NotNull(read);
            var fileMode = Convert.ToInt32(Tools.Run("stat", "-c", "%a", original).EnsureSuccess("stat").StdOut.Trim(), 8);
            var image = AclNarrowing.ModeFromAcl(Owner, Staff, fileMode, folder, read);

            var twin = folder ? tree.Folder("twin-" + name) : tree.File("twin-" + name);
            Tools.Run("chown", $"{image.Uid}:{image.Gid}", twin).EnsureSuccess("chown");
            Tools.Run("chmod", Convert.ToString(image.Mode & 0xFFF, 8), twin).EnsureSuccess("chmod");
            files.Add((name, original, read!, image));
            files.Add((name, twin, read!, image));
        }

        Assert.True(files.Single(f => f.Name == "licensed" && f.Path.EndsWith("twin-licensed", StringComparison.Ordinal)).Image.Exact);
        Assert.False(files.First(f => f.Name == "issue").Image.Exact);
        Assert.False(files.First(f => f.Name == "licensed-setgid").Image.Exact); // setgid cleared
        Assert.True(files.First(f => f.Name == "licensed-folder").Image.Exact);

        foreach (var (uid, gid, groups) in Principals)
        {
            var who = $"uid {uid} gid {gid} groups [{string.Join(",", groups)}]";
            var args = new List<string> { $"--reuid={uid}", $"--regid={gid}" };
            args.Add(groups.Length == 0 ? "--clear-groups" : $"--groups={string.Join(",", groups)}");
            args.AddRange(new[] { perl, "-MPOSIX", "-e", "for $p (@ARGV) { print join('', map { POSIX::access($p, $_) ? 1 : 0 } 1..7), qq(\\n) }" });
            args.AddRange(files.Select(f => f.Path));
            var answers = Tools.Run("setpriv", args).EnsureSuccess($"setpriv as {who}").StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(files.Count, answers.Length);

            var member = new[] { gid }.Concat(groups).Aggregate(0, (set, g) => set | 1 << (int)(g - Staff));
            for (var i = 0; i < files.Count; i += 2)
            {
                var (name, _, acl, image) = files[i];
                for (var want = 1; want <= 7; want++)
                {
                    var byAcl = answers[i][want - 1] == '1';
                    var byTwin = answers[i + 1][want - 1] == '1';
                    var asking = $"{who} asking {AclEntry.PermsText(want)} of {name} ({acl}; image {image.Gid} {Convert.ToString(image.Mode & 0xFFF, 8)}, {(image.Exact ? "exact" : image.Reason)})";
                    Assert.False(byTwin && !byAcl, $"the twin grants what the ACL refuses: {asking}");
                    if (image.Exact) Assert.True(byTwin == byAcl, $"said exact, but the kernel decides {byAcl} for the ACL and {byTwin} for the twin: {asking}");
                    Assert.True(byAcl == KernelAccess.KernelPermits(acl, Owner, Staff, uid, member, want, Staff), $"the model is not the kernel: {asking}: kernel {byAcl}");
                    Assert.True(byTwin == KernelAccess.ModePermits(image.Mode, image.Uid, image.Gid, uid, member, want, Staff), $"the mode model is not the kernel: {asking}");
                }
            }
        }
    }
}
