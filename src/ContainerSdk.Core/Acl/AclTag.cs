namespace ContainerSdk.Core.Acl;

/// <summary>
/// The kind of a POSIX ACL entry. The numeric values are the kernel's ACL_* tag values, which are also
/// what the <c>system.posix_acl_*</c> xattrs store, and their order is the kernel's canonical entry order.
/// </summary>
internal enum AclTag : ushort
{
    UserObj = 0x01,
    User = 0x02,
    GroupObj = 0x04,
    Group = 0x08,
    Mask = 0x10,
    Other = 0x20,
}

internal static class AclTagExtensions
{
    /// <summary>Only named user and group entries carry a uid/gid.</summary>
    public static bool HasQualifier(this AclTag tag) => tag is AclTag.User or AclTag.Group;

    /// <summary>The long tag word getfacl writes ("user", "group", "mask", "other").</summary>
    public static string TextName(this AclTag tag) => tag switch
    {
        AclTag.UserObj or AclTag.User => "user",
        AclTag.GroupObj or AclTag.Group => "group",
        AclTag.Mask => "mask",
        AclTag.Other => "other",
        _ => throw new ArgumentOutOfRangeException(nameof(tag)),
    };
}
