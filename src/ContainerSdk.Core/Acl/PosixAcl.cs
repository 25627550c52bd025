using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Acl;

/// <summary>
/// A valid POSIX ACL, immutable, its entries in the kernel's canonical order (user_obj, users by uid,
/// group_obj, groups by gid, mask, other). Canonical order makes every encoding of the same ACL the same
/// bytes, which keeps layer digests stable whatever order a dump listed the entries in.
/// </summary>
internal sealed class PosixAcl : IEquatable<PosixAcl>
{
    private readonly AclEntry[] _entries;

    private PosixAcl(AclEntry[] entries) => _entries = entries;

    public IReadOnlyList<AclEntry> Entries => _entries;

    /// <summary>
    /// Validates the entries the way the kernel's acl_valid does and sorts them. A problem is a
    /// <see cref="Codes.AclInvalid"/> error whose message says what is wrong; callers that know the
    /// file and line catch it and add them.
    /// </summary>
    public static PosixAcl Create(IEnumerable<AclEntry> entries)
    {
        var list = entries.ToList();
        foreach (var e in list)
        {
            if (!Enum.IsDefined(e.Tag))
                throw Invalid($"unknown ACL entry tag 0x{(ushort)e.Tag:x}");
            if (e.Perms is < 0 or > 7)
                throw Invalid($"permissions {e.Perms} of entry \"{e.Tag.TextName()}\" are outside 0..7");
            if (!e.Tag.HasQualifier() && e.Qualifier != 0)
                throw Invalid($"a \"{e.Tag.TextName()}::\" entry takes no user or group id");
        }

        RequireOne(list, AclTag.UserObj, "user::");
        RequireOne(list, AclTag.GroupObj, "group::");
        RequireOne(list, AclTag.Other, "other::");
        var masks = list.Count(e => e.Tag == AclTag.Mask);
        if (masks > 1) throw Invalid("the ACL has more than one mask:: entry");
        var named = list.Any(e => e.Tag.HasQualifier());
        if (named && masks == 0)
            throw Invalid("the ACL has named user or group entries but no mask:: entry (the kernel requires one)");
        foreach (var dup in list.Where(e => e.Tag.HasQualifier()).GroupBy(e => (e.Tag, e.Qualifier)).Where(g => g.Count() > 1))
            throw Invalid($"the ACL has more than one entry for {dup.Key.Tag.TextName()} {dup.Key.Qualifier}");

        list.Sort(static (a, b) => a.Tag != b.Tag ? a.Tag.CompareTo(b.Tag) : a.Qualifier.CompareTo(b.Qualifier));
        return new PosixAcl(list.ToArray());
    }

    /// <summary>The three-entry ACL equivalent to a mode's rwx bits.</summary>
    public static PosixAcl FromMode(int mode) => new(new[]
    {
        AclEntry.UserObj((mode >> 6) & 7), AclEntry.GroupObj((mode >> 3) & 7), AclEntry.Other(mode & 7),
    });

    /// <summary>More than user_obj, group_obj and other: something the mode alone cannot express.</summary>
    public bool IsExtended => _entries.Length > 3;

    public int UserObjPerms => Find(AclTag.UserObj)!.Value.Perms;
    public int GroupObjPerms => Find(AclTag.GroupObj)!.Value.Perms;
    public int OtherPerms => Find(AclTag.Other)!.Value.Perms;
    public int? MaskPerms => Find(AclTag.Mask)?.Perms;

    /// <summary>
    /// What the mode's group bits must be: the mask when there is one, else group_obj. The kernel keeps them
    /// equal, and extractors (GNU tar, umoci) apply the mode after the ACL, so a header whose group bits differ
    /// from the mask would silently change the mask.
    /// </summary>
    public int GroupClassPerms => MaskPerms ?? GroupObjPerms;

    /// <summary>The mode with its rwx bits taken from this ACL; file type and setuid/setgid/sticky bits kept.</summary>
    public int ApplyToMode(int mode) => (mode & ~0x1FF) | (UserObjPerms << 6) | (GroupClassPerms << 3) | OtherPerms;

    private AclEntry? Find(AclTag tag)
    {
        foreach (var e in _entries)
            if (e.Tag == tag) return e;
        return null;
    }

    private static void RequireOne(List<AclEntry> list, AclTag tag, string text)
    {
        var n = list.Count(e => e.Tag == tag);
        if (n == 0) throw Invalid($"the ACL has no {text} entry");
        if (n > 1) throw Invalid($"the ACL has more than one {text} entry");
    }

    private static ContainerSdkException Invalid(string message) => new(Codes.AclInvalid, message);

    public bool Equals(PosixAcl? other) => other is not null && _entries.AsSpan().SequenceEqual(other._entries);
    public override bool Equals(object? obj) => Equals(obj as PosixAcl);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var e in _entries) h.Add(e);
        return h.ToHashCode();
    }

    /// <summary>getfacl -n's entry lines joined with ',' (for messages and test output).</summary>
    public override string ToString() => string.Join(",", _entries);
}
