using ContainerSdk.Core.Acl;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// The xattrs a file of a module directory carries into its layer, as PAX records: POSIX ACLs (in both
/// encodings), user.* and security.capability. Read with l*xattr calls, so links are never followed.
/// </summary>
public static class DiskMetadata
{
    public static IReadOnlyDictionary<string, byte[]> Read(string path)
    {
        var records = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (name, value) in DiskXattrs.ReadAll(path)) records["SCHILY.xattr." + name] = value;
        if (DiskAcl.Read(path) is { } acls)
            foreach (var (key, value) in AclPax.Records(acls)) records[key] = value;
        return records;
    }
}
