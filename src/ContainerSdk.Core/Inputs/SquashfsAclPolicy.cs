namespace ContainerSdk.Core.Inputs;

/// <summary>ContainerSquashfsAclPolicy: what to do with a path whose ACL SquashFS cannot carry exactly.</summary>
internal enum SquashfsAclPolicy
{
    /// <summary>Give it an owner, group and mode that grant less than the ACL, and list it (one CSDK7010 warning).</summary>
    Narrow,

    /// <summary>Fail the build (CSDK7011).</summary>
    Error,
}
