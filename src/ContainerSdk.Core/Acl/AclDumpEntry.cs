namespace ContainerSdk.Core.Acl;

/// <summary>
/// One file's block of a getfacl -R dump.
/// </summary>
/// <param name="Path">Absolute, normalized image path ("/" for the root, "/opt/x" otherwise).</param>
/// <param name="Owner">uid from "# owner:", null when the block has none.</param>
/// <param name="Group">gid from "# group:", null when the block has none.</param>
/// <param name="Flags">setuid/setgid/sticky from "# flags:"; None when the block has no flags line (getfacl omits it then).</param>
/// <param name="Acls">The access ACL (null when the block lists only default entries) and the default ACL.</param>
/// <param name="Line">1-based line of the block's "# file:" line, for errors that concern the whole block.</param>
internal sealed record AclDumpEntry(string Path, uint? Owner, uint? Group, AclFlags Flags, AclSet Acls, int Line);
