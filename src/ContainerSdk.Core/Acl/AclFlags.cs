namespace ContainerSdk.Core.Acl;

/// <summary>The mode bits getfacl writes on its "# flags:" line, as their octal mode values.</summary>
[Flags]
internal enum AclFlags
{
    None = 0,
    Sticky = 0x200,  // 01000
    SetGid = 0x400,  // 02000
    SetUid = 0x800,  // 04000
}
