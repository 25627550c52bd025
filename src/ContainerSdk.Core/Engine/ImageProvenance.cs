namespace ContainerSdk.Core.Engine;

/// <summary>
/// What travels with the image besides its layers, as the image step is asked for it: the SBOM (ContainerSbomOutputPath,
/// null when GenerateContainerSbom is false) and the bundle's ACL dump (ContainerBundleAclPath, null without a bundle),
/// each written to the layout as an artifact whose subject is the image.
/// </summary>
internal sealed record ImageProvenance(string? SbomPath, string? AclDumpPath);
