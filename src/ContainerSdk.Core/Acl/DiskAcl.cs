using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Acl;

/// <summary>
/// Reads the POSIX ACLs set on a file of a module directory, straight from the kernel's xattrs (lgetxattr:
/// a symbolic link is never followed; links carry no ACLs).
/// </summary>
internal static class DiskAcl
{
    /// <summary>The file's ACLs, or null when it has neither an extended access ACL nor a default ACL.</summary>
    public static AclSet? Read(string path)
    {
        var access = ReadOne(path, AclXattr.AccessName);
        var @default = ReadOne(path, AclXattr.DefaultName);
        if (access is { IsExtended: false }) access = null;
        return access is null && @default is null ? null : new AclSet(access, @default);
    }

    private static PosixAcl? ReadOne(string path, string name)
    {
        var value = DiskXattrs.Get(path, name);
        if (value is null || value.Length == 0) return null;
        try
        {
            return AclXattr.Decode(value);
        }
        catch (ContainerSdkException e)
        {
            throw new ContainerSdkException(Codes.InputUnreadable, $"cannot read the ACL {name} of '{path}': {e.Message}", path, inner: e);
        }
    }
}
