using System.Globalization;
using System.Numerics;

namespace ContainerSdk.Core.Acl;

// Design note: why each rule (issue 21).
//
// SquashFS keeps a path's owner, group and mode, never its ACL; Apptainer then runs the image with the host's uids and
// groups, unknown at build time, so every principal may be in any set of groups. The mode chosen here must grant, for
// every principal and every request, no more than the ACL did. The reference is the kernel's posix_acl_permission
// (fs/posix_acl.c): the owner gets user::; a named user gets user:U: ∩ mask and groups are not consulted; a process
// matching the owning group or a named group is granted a request only if ONE matching entry ∩ mask holds every
// requested bit (so r from one group and w from another do not make rw), and it never falls to other::; everyone else
// gets other::. (The kernel skips the ACL altogether when the mask is ---, which only ever grants more than this
// reference, so a mode within the reference is within the kernel too.) The image's plain mode check is owner bits,
// else group bits if the process is in the file's group, else other bits.
//
// With G' the image's group, Gb its group bits and Ob its other bits, that gives, for every ACL with a mask:
// - owner bits = user:: and the owner never changes: the owner is checked first on both sides.
// - a named user U (not the owner; an entry naming the owner is never reached) falls to Gb when in G', else to Ob,
//   and we cannot know which: both must lie within U's entry ∩ mask.
// - a member of G' (whatever else it is in) gets Gb: Gb must lie within one of G''s entries ∩ mask. G' is always the
//   owning group or a named group, so it has an entry.
// - a process outside G' gets Ob: if it matches no entry, the ACL gave other::; if it matches group X, the ACL gave
//   X's entry ∩ mask. So Ob lies within other:: and within every group entry ∩ mask other than G''s. (When the owning
//   group is also named, its two entries are both bounded; exactness then can be lost where one bound would do: rare.)
// Exact means the image grants exactly what the ACL does: checking each principal class alone and each pair of group
// memberships is enough, because the ACL's grants for a set of groups are the union of its groups' grants and the
// image's are one set (see IsExact). Which group becomes G': an exact choice first (the owning group, then named groups
// by gid), else the one that keeps the most bits (Gb + Ob), the owning group on a tie. The single-named-group ACL of
// a licensed suite (group:licensed:r-x, group::---, other::---) is exact with G' = licensed.
// setgid: a setgid program runs with the file's group; when that group changes, the program would get a group the
// ACL never gave it, so setgid is cleared on a non-folder whose group changes (and the path is narrowed). On a folder,
// setgid only decides the group of new files, which a read-only image never gets. setuid and sticky are kept.
// Default ACLs are not an input: nothing is created in a read-only image.

/// <summary>The owner, group and mode a path gets in an image format that cannot store ACLs.</summary>
/// <param name="Exact">True when the image grants every principal exactly what the ACL did (or there was no ACL).</param>
/// <param name="Reason">Empty when exact; else who loses what ("group 100: r-x→---; others: r--→---").</param>
internal sealed record NarrowedMode(uint Uid, uint Gid, int Mode, bool Exact, string Reason);

/// <summary>
/// Chooses, from a path's owner, group, mode and access ACL, an owner, group and mode that never grant more than the
/// ACL does (SquashFS, issue 21). Pure: no file system, no names.
/// </summary>
internal static class AclNarrowing
{
    private const int SetGid = 0x400; // 02000

    /// <summary>
    /// The image's owner, group and mode for a path. <paramref name="mode"/> may carry the file type and the
    /// setuid/setgid/sticky bits; they are kept (setgid is cleared when a non-folder's group changes). A path without an
    /// ACL, or whose ACL has no mask (only user::, group::, other::, which the mode already says), is returned unchanged.
    /// </summary>
    public static NarrowedMode ModeFromAcl(uint uid, uint gid, int mode, bool isDirectory, PosixAcl? access)
    {
        if (access?.MaskPerms is not int mask) return new NarrowedMode(uid, gid, mode, true, "");

        var users = new List<(uint Uid, int Perms)>();
        var groups = new SortedDictionary<uint, List<int>> { [gid] = new() { access.GroupObjPerms & mask } };
        foreach (var e in access.Entries)
        {
            if (e.Tag == AclTag.User && e.Qualifier != uid) users.Add((e.Qualifier, e.Perms & mask));
            else if (e.Tag == AclTag.Group)
            {
                if (!groups.TryGetValue(e.Qualifier, out var list)) groups[e.Qualifier] = list = new();
                list.Add(e.Perms & mask);
            }
        }
        var acl = new Shape(access.UserObjPerms, access.OtherPerms, users, groups);

        // The owning group first (a tie keeps it), then the named groups by gid (SortedDictionary order).
        Choice? best = null;
        foreach (var candidate in groups.Keys.Where(g => g == gid).Concat(groups.Keys.Where(g => g != gid)))
        {
            var choice = Choose(acl, candidate, gid, mode, isDirectory);
            if (choice.Exact) { best = choice; break; }
            if (best is null || choice.Score > best.Score) best = choice;
        }

        var result = best!;
        var bits = (acl.Owner << 6) | (result.GroupBits << 3) | result.OtherBits;
        var newMode = (mode & ~0x1FF & ~(result.SetGidCleared ? SetGid : 0)) | bits;
        return new NarrowedMode(uid, result.Group, newMode, result.Exact, result.Exact ? "" : Reason(gid, result));
    }

    /// <summary>The ACL reduced to what the check uses: each entry's perms already ∩ mask, groups keyed by gid.</summary>
    private sealed record Shape(int Owner, int Other, List<(uint Uid, int Perms)> Users, SortedDictionary<uint, List<int>> Groups);

    private sealed record Choice(uint Group, int GroupBits, int OtherBits, bool SetGidCleared, List<string> Losses)
    {
        public bool Exact => Losses.Count == 0 && !SetGidCleared;
        public int Score => BitOperations.PopCount((uint)GroupBits) + BitOperations.PopCount((uint)OtherBits);
    }

    private static Choice Choose(Shape acl, uint group, uint owningGroup, int mode, bool isDirectory)
    {
        var usersBound = 7;
        foreach (var (_, perms) in acl.Users) usersBound &= perms;

        var groupBits = Best(acl.Groups[group]) & usersBound;
        var otherBits = acl.Other & usersBound;
        foreach (var (gid, perms) in acl.Groups)
            if (gid != group)
                foreach (var p in perms) otherBits &= p;

        // A principal that may or may not be in the image's group is sure of only what both classes give.
        var both = groupBits & otherBits;
        var losses = new List<string>();
        foreach (var (uid, perms) in acl.Users.OrderBy(u => u.Uid))
            if (perms != both) losses.Add($"user {Id(uid)}: {AclEntry.PermsText(perms)}→{AclEntry.PermsText(both)}");
        foreach (var (gid, perms) in acl.Groups)
        {
            var image = gid == group ? groupBits : both;
            if (!Grants(perms, image)) losses.Add($"group {Id(gid)}: {Text(perms)}→{AclEntry.PermsText(image)}");
        }
        if (acl.Other != otherBits) losses.Add($"others: {AclEntry.PermsText(acl.Other)}→{AclEntry.PermsText(otherBits)}");

        var setGidCleared = group != owningGroup && !isDirectory && (mode & SetGid) != 0;
        return new Choice(group, groupBits, otherBits, setGidCleared, losses);
    }

    /// <summary>
    /// True when a process matching these entries (each already ∩ mask) is granted exactly what <paramref name="image"/>
    /// grants: the kernel grants a request when one entry holds all of it, so the entries' grants equal one set's
    /// exactly when that set is one of them and holds the others.
    /// </summary>
    private static bool Grants(List<int> perms, int image) => perms.Contains(image) && perms.All(p => (p & ~image) == 0);

    /// <summary>
    /// The most a member of a group may be given: an entry that holds all the others, else what all its entries share
    /// (two entries only when the owning group is also named, and they disagree).
    /// </summary>
    private static int Best(List<int> perms)
    {
        foreach (var p in perms)
            if (perms.All(q => (q & ~p) == 0)) return p;
        return perms.Aggregate(7, (a, p) => a & p);
    }

    private static string Text(List<int> perms) => string.Join("|", perms.Distinct().Select(AclEntry.PermsText));

    private static string Id(uint id) => id.ToString(CultureInfo.InvariantCulture);

    private static string Reason(uint owningGroup, Choice choice)
    {
        var parts = new List<string>();
        if (choice.Group != owningGroup) parts.Add($"group {Id(owningGroup)}→{Id(choice.Group)}");
        if (choice.SetGidCleared) parts.Add("setgid cleared");
        parts.AddRange(choice.Losses);
        return string.Join("; ", parts);
    }
}
