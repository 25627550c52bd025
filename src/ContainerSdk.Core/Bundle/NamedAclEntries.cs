using ContainerSdk.Core.Acl;
using ContainerSdk.Core.Layers;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// Whether the flattened tree has a path whose access ACL names a user or a group: the entries a SquashFS image cannot
/// keep, so that a plain conversion of the OCI image (<c>apptainer build</c>) widens them (the mask lands in the group bits).
/// </summary>
internal static class NamedAclEntries
{
    public static bool In(IReadOnlyList<LayerPlan> plans)
    {
        // Most images have no ACL at all: a look at the plans' headers settles it without flattening.
        if (!plans.Any(p => p.Entries.Any(Named))) return false;
        return PlanMerge.Flatten(plans).Any(Named);
    }

    private static bool Named(PlannedEntry entry) =>
        entry.Header.HasPaxRecords && AclPax.Read(entry.Header.PaxRecordsRead)?.Access is { } access
        && access.Entries.Any(e => e.Tag is AclTag.User or AclTag.Group);
}
