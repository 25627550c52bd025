using ContainerSdk.Core.Diagnostics;
using Mono.Unix.Native;

namespace ContainerSdk.Core.Acl;

/// <summary>
/// Extended attributes of a file on disk, read without following symbolic links. Only the ones an image layer
/// should carry are returned: user.* and security.capability (file capabilities, e.g. of ping). ACL xattrs are
/// read by <see cref="DiskAcl"/>; security.selinux and the like belong to the host, not to the image.
/// </summary>
public static class DiskXattrs
{
    public const string CapabilityName = "security.capability";

    /// <summary>Name → raw value, ordinal-sorted; empty when the file has none or the file system has no xattrs.</summary>
    public static SortedDictionary<string, byte[]> ReadAll(string path) => ReadAll(path, ListNames(path));

    /// <summary>The names of the file's xattrs (llistxattr: the link itself, never its target); empty where the file system has none.</summary>
    public static string[] ListNames(string path)
    {
        if (Syscall.llistxattr(path, out string[] names) >= 0) return names ?? Array.Empty<string>();
        var errno = Stdlib.GetLastError();
        if (errno is Errno.EOPNOTSUPP) return Array.Empty<string>();
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
        if (Syscall.lgetxattr(path, name, out byte[] value) >= 0) return value ?? Array.Empty<byte>();
        var errno = Stdlib.GetLastError();
        if (errno is Errno.ENODATA or Errno.EOPNOTSUPP) return null;
        throw Failure(path, $"read the extended attribute {name} of", errno);
    }

    private static ContainerSdkException Failure(string path, string what, Errno errno) =>
        new(Codes.InputUnreadable, $"cannot {what} '{path}': {Stdlib.strerror(errno)} ({errno})", path);
}
