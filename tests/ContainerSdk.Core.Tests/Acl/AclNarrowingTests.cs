using ContainerSdk.Core.Acl;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Inputs;

namespace ContainerSdk.Core.Tests.Acl;

/// <summary>
/// <see cref="AclNarrowing.ModeFromAcl"/> against a model of the kernel's checks (<see cref="KernelAccess"/>), over every
/// ACL shape of a small universe: owner 10, users 11 and 12 (and an entry naming the owner); owning group 20, groups 21
/// and 22 (and an entry naming the owning group), every principal (uid 10..13 in every subset of groups 20..23) and every
/// requested set of bits. The image never grants more than the ACL; it grants exactly as much when it says it is exact,
/// and it says narrowed only when some principal does lose something.
/// </summary>
public sealed class AclNarrowingTests
{
    private const uint Owner = 10, OwningGroup = 20;
    private static readonly uint[] Uids = { 10, 11, 12, 13 };
    private static readonly (AclTag Tag, uint Id)[] Slots =
    {
        (AclTag.User, 10), (AclTag.User, 11), (AclTag.User, 12), (AclTag.Group, 20), (AclTag.Group, 21), (AclTag.Group, 22),
    };

    // Group 23 is named by no entry: it stands for every other group, and must never become the image's group.
    private static readonly (uint Uid, int Groups)[] Principals =
        (from uid in Uids from groups in Enumerable.Range(0, 16) select (uid, groups)).ToArray();

    private static readonly int[] All = { 0, 1, 2, 3, 4, 5, 6, 7 };
    private static readonly int[] Some = { 0, 4, 2, 5, 7 }; // ---, r--, -w-, r-x, rwx: incomparable pairs included

    [Fact]
    public void Every_acl_with_at_most_one_named_entry()
    {
        var n = 0;
        foreach (var groupObj in All)
            foreach (var mask in All)
                foreach (var other in All)
                {
                    Check(Acl(6, groupObj, mask, other), ref n);
                    foreach (var slot in Slots)
                        foreach (var p in All)
                            Check(Acl(6, groupObj, mask, other, (slot.Tag, slot.Id, p)), ref n);
                }
        foreach (var userObj in All) // the owner's bits pass through whatever the rest is
            foreach (var p in Some)
                Check(Acl(userObj, 4, 7, 0, (AclTag.User, 11, p), (AclTag.Group, 21, 7 - p)), ref n);
        Assert.True(n > 25_000);
    }

    [Fact]
    public void Every_acl_with_two_named_entries()
    {
        var n = 0;
        for (var a = 0; a < Slots.Length; a++)
            for (var b = a + 1; b < Slots.Length; b++)
                foreach (var pa in Some)
                    foreach (var pb in Some)
                        foreach (var groupObj in Some)
                            foreach (var mask in new[] { 7, 5, 6, 0 })
                                foreach (var other in new[] { 0, 4, 5, 7 })
                                    Check(Acl(6, groupObj, mask, other, (Slots[a].Tag, Slots[a].Id, pa), (Slots[b].Tag, Slots[b].Id, pb)), ref n);
        Assert.True(n >= 30_000);
    }

    [Fact]
    public void Random_acls_with_three_to_six_named_entries()
    {
        var random = new Random(21);
        var n = 0;
        while (n < 4_000)
        {
            var named = Slots.Where(_ => random.Next(2) == 0).Select(s => (s.Tag, s.Id, random.Next(8))).ToArray();
            if (named.Length >= 3) Check(Acl(random.Next(8), random.Next(8), random.Next(8), random.Next(8), named), ref n);
        }
    }

    [Fact]
    public void Setgid_is_cleared_only_on_a_file_whose_group_changes()
    {
        var licensed = Acl(7, 0, 5, 0, (AclTag.Group, 300, 5));
        var file = AclNarrowing.ModeFromAcl(0, 0, Octal("102755"), isDirectory: false, licensed);
        Assert.Equal((300u, Octal("100750")), (file.Gid, file.Mode));
        Assert.False(file.Exact);
        Assert.Contains("setgid cleared", file.Reason);

        var folder = AclNarrowing.ModeFromAcl(0, 0, Octal("42755"), isDirectory: true, licensed);
        Assert.Equal((300u, Octal("42750"), true), (folder.Gid, folder.Mode, folder.Exact));

        // setuid and sticky stay; setgid stays while the group does.
        var kept = AclNarrowing.ModeFromAcl(0, 0, Octal("7755"), isDirectory: false, Acl(7, 5, 7, 5, (AclTag.User, 5, 7)));
        Assert.Equal((0u, Octal("7755")), (kept.Gid, kept.Mode));
    }

    [Fact]
    public void The_licensed_suite_acl_is_carried_exactly_by_its_group()
    {
        var acl = Acl(7, 0, 5, 0, (AclTag.Group, 300, 5));
        var r = AclNarrowing.ModeFromAcl(0, 0, Octal("750"), isDirectory: false, acl);
        Assert.Equal(new NarrowedMode(0, 300, Octal("750"), true, ""), r);
    }

    [Fact]
    public void The_issues_example_no_longer_gives_staff_rwx()
    {
        // root:staff 0640, group::r--, group:100:r--, mask::rwx: ls -l shows -rw-rwx---+ and a plain SquashFS gives staff rwx.
        var acl = Acl(6, 4, 7, 0, (AclTag.Group, 100, 4));
        var r = AclNarrowing.ModeFromAcl(0, 50, Octal("670"), isDirectory: false, acl);
        Assert.Equal((0u, 50u, Octal("640"), false), (r.Uid, r.Gid, r.Mode, r.Exact));
        Assert.Equal("group 100: r--→---", r.Reason);
    }

    [Fact]
    public void A_path_without_a_mask_is_unchanged()
    {
        Assert.Equal(new NarrowedMode(1, 2, Octal("104751"), true, ""), AclNarrowing.ModeFromAcl(1, 2, Octal("104751"), false, null));
        Assert.Equal(new NarrowedMode(1, 2, Octal("640"), true, ""), AclNarrowing.ModeFromAcl(1, 2, Octal("640"), false, PosixAcl.FromMode(Octal("640"))));
    }

    [Fact]
    public void The_report_is_sorted_and_names_the_first_few()
    {
        var report = new AclNarrowingReport();
        for (var i = 7; i >= 1; i--) report.Add($"/opt/p{i}", "others: r--→---");
        report.Add("/opt/tab\there\nnl", "group 100: r--→---");
        Assert.Equal(8, report.Count);
        Assert.Equal("/opt/p1\tothers: r--→---", report.Lines().First());
        Assert.Equal("/opt/tab\\011here\\012nl\tgroup 100: r--→---", report.Lines().Last());

        var log = new RecordingLog();
        report.Warn(log, "/out/site.sqsh.narrowed.txt");
        var (code, message) = Assert.Single(log.Warnings);
        Assert.Equal(Codes.SquashfsAclNarrowed, code);
        Assert.StartsWith("8 paths have ACLs that SquashFS cannot store", message);
        Assert.Contains("/opt/p5 (others: r--→---), …", message);
        Assert.DoesNotContain("/opt/p6", message);
        Assert.Contains("/out/site.sqsh.narrowed.txt", message);

        var e = Assert.Throws<ContainerSdkException>(() => report.ThrowIfAny("/out/list.txt"));
        Assert.Equal(Codes.SquashfsAclNotStorable, e.Code);

        var empty = new AclNarrowingReport();
        empty.Warn(log, "x");
        empty.ThrowIfAny("x");
        Assert.Single(log.Warnings);
    }

    // internal: its parameters name an engine type, which is internal (xunit runs internal test methods too).
    [Theory]
    [InlineData(null, SquashfsAclPolicy.Narrow)]
    [InlineData("", SquashfsAclPolicy.Narrow)]
    [InlineData(" Narrow ", SquashfsAclPolicy.Narrow)]
    [InlineData("ERROR", SquashfsAclPolicy.Error)]
    internal void The_policy_property_parses(string? text, SquashfsAclPolicy expected) =>
        Assert.Equal(expected, Properties.SquashfsAclPolicy(text));

    [Fact]
    public void An_unknown_policy_is_a_property_error()
    {
        var e = Assert.Throws<ContainerSdkException>(() => Properties.SquashfsAclPolicy("widen"));
        Assert.Equal(Codes.InvalidProperty, e.Code);
        Assert.Contains("ContainerSquashfsAclPolicy", e.Message);
    }

    private static void Check(PosixAcl acl, ref int n)
    {
        n++;
        // A folder and a file (both setuid, setgid and sticky) differ only in setgid: decide the folder's bits.
        var bits = acl.ApplyToMode(0);
        var r = AclNarrowing.ModeFromAcl(Owner, OwningGroup, Octal("47000") | bits, isDirectory: true, acl);
        var file = AclNarrowing.ModeFromAcl(Owner, OwningGroup, Octal("107000") | bits, isDirectory: false, acl);
        var groupChanged = r.Gid != OwningGroup;
        Assert.Equal(Owner, r.Uid);
        Assert.Equal(Octal("47000"), r.Mode & ~0x1FF);
        Assert.Equal((Owner, r.Gid, (groupChanged ? Octal("105000") : Octal("107000")) | (r.Mode & 0x1FF), r.Exact && !groupChanged),
            (file.Uid, file.Gid, file.Mode, file.Exact));
        Assert.Equal(groupChanged && !file.Exact, file.Reason.Contains("setgid cleared", StringComparison.Ordinal));
        Assert.True(r.Gid == OwningGroup || acl.Entries.Any(e => e.Tag == AclTag.Group && e.Qualifier == r.Gid), $"{acl}: group {r.Gid}");
        Assert.Equal(r.Exact, r.Reason.Length == 0);

        var differs = false;
        foreach (var (uid, groups) in Principals)
            for (var want = 1; want <= 7; want++)
            {
                var acl_ = KernelAccess.AclPermits(acl, Owner, OwningGroup, uid, groups, want);
                var image = KernelAccess.ModePermits(r.Mode, r.Uid, r.Gid, uid, groups, want);
                if (image && !acl_)
                    Assert.Fail($"{acl}: the image ({r.Gid} {Convert.ToString(r.Mode & 0x1FF, 8)}) grants uid {uid} in {Groups(groups)} {AclEntry.PermsText(want)}, the ACL does not");
                if (image != acl_) differs = true;
                // The kernel skips the ACL when the mask is ---: it may grant more than posix_acl_permission, never less.
                var kernel = KernelAccess.KernelPermits(acl, Owner, OwningGroup, uid, groups, want);
                if (acl_ && !kernel) Assert.Fail($"{acl}: the kernel model refuses what posix_acl_permission grants");
                if (r.Exact && image != kernel)
                    Assert.Fail($"{acl}: said exact, but for uid {uid} in {Groups(groups)} asking {AclEntry.PermsText(want)} the kernel decides {kernel} and the image {image}");
            }
        Assert.True(r.Exact != differs, $"{acl}: said {(r.Exact ? "exact" : $"narrowed ({r.Reason})")} but the decisions {(differs ? "differ" : "are all equal")}");
    }

    private static string Groups(int groups) =>
        "{" + string.Join(",", Enumerable.Range(0, 4).Where(i => (groups & (1 << i)) != 0).Select(i => KernelAccess.GroupBase + i)) + "}";

    private static PosixAcl Acl(int userObj, int groupObj, int mask, int other, params (AclTag Tag, uint Id, int Perms)[] named)
    {
        var entries = new List<AclEntry> { AclEntry.UserObj(userObj), AclEntry.GroupObj(groupObj), AclEntry.Mask(mask), AclEntry.Other(other) };
        entries.AddRange(named.Select(e => new AclEntry(e.Tag, e.Id, e.Perms)));
        return PosixAcl.Create(entries);
    }

    private static int Octal(string text) => Convert.ToInt32(text, 8);

    private sealed class RecordingLog : IBuildLog
    {
        public List<(string Code, string Message)> Warnings { get; } = new();
        public void Info(string message) { }
        public void Detail(string message) { }
        public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) => Warnings.Add((code, message));
    }
}
