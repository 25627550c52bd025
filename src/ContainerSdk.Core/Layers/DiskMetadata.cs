using ContainerSdk.Core.Acl;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// The xattrs a file of a module directory carries into its layer, as PAX records: POSIX ACLs (in both
/// encodings), user.* and security.capability. Read with l*xattr calls, so links are never followed.
/// </summary>
internal static class DiskMetadata
{
    private static readonly IReadOnlyDictionary<string, byte[]> None = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);

    /// <remarks>One llistxattr per file; values are read only for names it lists, so the common file without
    /// xattrs costs a single system call (a build with nothing changed walks every file).</remarks>
    public static IReadOnlyDictionary<string, byte[]> Read(string path)
    {
        var names = DiskXattrs.ListNames(path);
        if (names.Length == 0) return None;
        var records = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (name, value) in DiskXattrs.ReadAll(path, names)) records["SCHILY.xattr." + name] = value;
        if (names.Contains(AclXattr.AccessName) || names.Contains(AclXattr.DefaultName))
            if (DiskAcl.Read(path) is { } acls)
                foreach (var (key, value) in AclPax.Records(acls)) records[key] = value;
        return records;
    }
}
