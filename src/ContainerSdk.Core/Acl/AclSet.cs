namespace ContainerSdk.Core.Acl;

/// <summary>
/// The ACLs of one file: the access ACL (null when the file has only its mode) and, for directories,
/// the default ACL that new children inherit (null when none).
/// </summary>
internal sealed record AclSet(PosixAcl? Access, PosixAcl? Default)
{
    /// <summary>True when there is nothing beyond what the mode already says.</summary>
    public bool IsEmpty => (Access is null || !Access.IsExtended) && Default is null;
}
