using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Acl;

/// <summary>
/// Extended attributes of a file on disk, read without following symbolic links. Only the ones an image layer
/// should carry are returned: user.* and security.capability (file capabilities, e.g. of ping). ACL xattrs are
/// read by <see cref="DiskAcl"/>; security.selinux and the like belong to the host, not to the image.
/// </summary>
internal static class DiskXattrs
{
    public const string CapabilityName = "security.capability";

    /// <summary>Name → raw value, ordinal-sorted; empty when the file has none or the file system has no xattrs.</summary>
    public static SortedDictionary<string, byte[]> ReadAll(string path) => ReadAll(path, ListNames(path));

    /// <summary>The names of the file's xattrs (llistxattr: the link itself, never its target); empty where the file system has none.</summary>
    public static string[] ListNames(string path)
    {
        var (names, errno) = NativeXattr.List(path);
        if (names is not null) return names;
        if (errno is NativeXattr.EOPNOTSUPP) return Array.Empty<string>();
        throw Failure(path, "list the extended attributes of", errno);
    }

    /// <summary>The kept xattrs among <paramref name="names"/> (from <see cref="ListNames"/>).</summary>
    public static SortedDictionary<string, byte[]> ReadAll(string path, string[] names)
    {
        var result = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!name.StartsWith("user.", StringComparison.Ordinal) && name != CapabilityName) continue;
            var value = Get(path, name);
            if (value is not null) result[name] = value;
        }
        return result;
    }

    /// <summary>One xattr's value, or null when the file does not have it.</summary>
    public static byte[]? Get(string path, string name)
    {
        var (value, errno) = NativeXattr.Get(path, name);
        if (value is not null) return value;
        if (errno is NativeXattr.ENODATA or NativeXattr.EOPNOTSUPP) return null;
        throw Failure(path, $"read the extended attribute {name} of", errno);
    }

    private static ContainerSdkException Failure(string path, string what, int errno) =>
        new(Codes.InputUnreadable, $"cannot {what} '{path}': {NativeXattr.Describe(errno)}", path);
}
