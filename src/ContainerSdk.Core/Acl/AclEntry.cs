namespace ContainerSdk.Core.Acl;

/// <summary>
/// One ACL entry. <see cref="Qualifier"/> is the uid (User) or gid (Group) and 0 for every other tag;
/// <see cref="Perms"/> is r=4, w=2, x=1.
/// </summary>
internal readonly record struct AclEntry(AclTag Tag, uint Qualifier, int Perms)
{
    public const int Read = 4;
    public const int Write = 2;
    public const int Execute = 1;

    public static AclEntry UserObj(int perms) => new(AclTag.UserObj, 0, perms);
    public static AclEntry User(uint uid, int perms) => new(AclTag.User, uid, perms);
    public static AclEntry GroupObj(int perms) => new(AclTag.GroupObj, 0, perms);
    public static AclEntry Group(uint gid, int perms) => new(AclTag.Group, gid, perms);
    public static AclEntry Mask(int perms) => new(AclTag.Mask, 0, perms);
    public static AclEntry Other(int perms) => new(AclTag.Other, 0, perms);

    /// <summary>"rwx", "r-x"...: the form getfacl writes.</summary>
    public static string PermsText(int perms) => string.Create(3, perms, static (span, p) =>
    {
        span[0] = (p & Read) != 0 ? 'r' : '-';
        span[1] = (p & Write) != 0 ? 'w' : '-';
        span[2] = (p & Execute) != 0 ? 'x' : '-';
    });

    /// <summary>getfacl's numeric form of the entry ("user:1001:r--", "mask::rwx").</summary>
    public override string ToString() =>
        $"{Tag.TextName()}:{(Tag.HasQualifier() ? Qualifier.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}:{PermsText(Perms)}";
}
