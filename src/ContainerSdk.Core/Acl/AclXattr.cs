using System.Buffers.Binary;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Acl;

/// <summary>
/// The binary form the Linux kernel stores in system.posix_acl_access / system.posix_acl_default
/// (struct posix_acl_xattr_header + entries): little-endian u32 version 2, then per entry u16 tag, u16 perm,
/// u32 id, with id 0xFFFFFFFF for entries that have no qualifier. This is what containerd, moby, podman and
/// umoci write back with setxattr on extraction, so it must be exactly the kernel's bytes.
/// </summary>
internal static class AclXattr
{
    public const string AccessName = "system.posix_acl_access";
    public const string DefaultName = "system.posix_acl_default";

    private const uint Version = 2;
    private const uint UndefinedId = 0xFFFFFFFF;

    public static byte[] Encode(PosixAcl acl)
    {
        var bytes = new byte[4 + 8 * acl.Entries.Count];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Version);
        var offset = 4;
        foreach (var e in acl.Entries)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset), (ushort)e.Tag);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset + 2), (ushort)e.Perms);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset + 4), e.Tag.HasQualifier() ? e.Qualifier : UndefinedId);
            offset += 8;
        }
        return bytes;
    }

    /// <summary>Decodes and validates; a malformed value is an <see cref="Codes.AclInvalid"/> error.</summary>
    public static PosixAcl Decode(ReadOnlySpan<byte> value)
    {
        if (value.Length < 4 || (value.Length - 4) % 8 != 0)
            throw new ContainerSdkException(Codes.AclInvalid,
                $"a POSIX ACL xattr is {value.Length} bytes long; expected 4 + 8 per entry");
        var version = BinaryPrimitives.ReadUInt32LittleEndian(value);
        if (version != Version)
            throw new ContainerSdkException(Codes.AclInvalid, $"a POSIX ACL xattr has version {version}; only version 2 exists");
        var entries = new List<AclEntry>((value.Length - 4) / 8);
        for (var offset = 4; offset < value.Length; offset += 8)
        {
            var tag = (AclTag)BinaryPrimitives.ReadUInt16LittleEndian(value[offset..]);
            var perms = BinaryPrimitives.ReadUInt16LittleEndian(value[(offset + 2)..]);
            var id = BinaryPrimitives.ReadUInt32LittleEndian(value[(offset + 4)..]);
            entries.Add(new AclEntry(tag, tag.HasQualifier() ? id : 0, perms));
        }
        return PosixAcl.Create(entries);
    }
}
