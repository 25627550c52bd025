using ContainerSdk.Core.Acl;

namespace ContainerSdk.Core.Tests.Acl;

/// <summary>
/// The kernel's DAC decisions for a process that is not root (CAP_DAC_OVERRIDE ignores both the mode and the ACL, so
/// root is out of scope), written from fs/namei.c (acl_permission_check) and fs/posix_acl.c (posix_acl_permission).
/// <c>want</c> is the requested r=4/w=2/x=1 set at once (open(O_RDWR) asks r|w); <c>groups</c> is the set of gids the
/// process is in (fsgid or supplementary: in_group_p does not tell them apart) as bits: bit i is gid <see cref="GroupBase"/>+i.
/// </summary>
internal static class KernelAccess
{
    public const uint GroupBase = 20;

    private static bool In(uint gid, int groups, uint groupBase) => gid - groupBase < 32 && (groups & (1 << (int)(gid - groupBase))) != 0;

    /// <summary>posix_acl_permission: the ACL alone, entries in canonical order.</summary>
    public static bool AclPermits(PosixAcl acl, uint owner, uint owningGroup, uint fsuid, int groups, int want, uint groupBase = GroupBase)
    {
        var mask = acl.MaskPerms ?? 7; // no mask entry: the mask loop finds none and the entry alone decides
        var found = false;
        var entries = acl.Entries;
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            switch (e.Tag)
            {
                case AclTag.UserObj:
                    if (fsuid == owner) return (e.Perms & want) == want;
                    break;
                case AclTag.User:
                    if (e.Qualifier == fsuid) return (e.Perms & mask & want) == want; // "goto mask": groups are not consulted
                    break;
                case AclTag.GroupObj:
                case AclTag.Group:
                    var gid = e.Tag == AclTag.GroupObj ? owningGroup : e.Qualifier;
                    if (In(gid, groups, groupBase))
                    {
                        found = true;
                        // The first matching entry that holds every wanted bit decides, through the mask.
                        if ((e.Perms & want) == want) return (e.Perms & mask & want) == want;
                    }
                    break;
                case AclTag.Other:
                    return !found && (e.Perms & want) == want; // a group member that no entry grants is refused
            }
        }
        throw new InvalidOperationException("an ACL without other::");
    }

    /// <summary>
    /// acl_permission_check on a file with this ACL: the owner gets the owner bits; the ACL is consulted only when the
    /// mode's group bits (the mask) are not ---; otherwise the plain mode check of the ACL's mode.
    /// </summary>
    public static bool KernelPermits(PosixAcl acl, uint owner, uint owningGroup, uint fsuid, int groups, int want, uint groupBase = GroupBase)
    {
        var mode = acl.ApplyToMode(0);
        if (fsuid == owner) return ((mode >> 6) & want) == want;
        if ((mode & 0x38) != 0) return AclPermits(acl, owner, owningGroup, fsuid, groups, want, groupBase);
        return ModePermits(mode, owner, owningGroup, fsuid, groups, want, groupBase);
    }

    /// <summary>generic_permission without an ACL: owner bits, else group bits when in the file's group, else other bits.</summary>
    public static bool ModePermits(int mode, uint owner, uint group, uint fsuid, int groups, int want, uint groupBase = GroupBase)
    {
        int bits = fsuid == owner ? (mode >> 6) & 7 : In(group, groups, groupBase) ? (mode >> 3) & 7 : mode & 7;
        return (bits & want) == want;
    }
}
