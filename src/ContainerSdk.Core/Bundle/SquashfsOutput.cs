using ContainerSdk.Core.Inputs;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// Where the SquashFS image of the flattened tree goes (ContainerSquashfsOutputPath) and how it is written
/// (ContainerSquashfsCompression, ContainerSquashfsAclPolicy).
/// </summary>
internal sealed record SquashfsOutput(string Path, SquashfsImageCompression Compression = SquashfsImageCompression.Gzip,
    SquashfsAclPolicy AclPolicy = SquashfsAclPolicy.Narrow)
{
    /// <summary>The list of the paths whose ACLs were narrowed, beside the image; only there when there are some.</summary>
    public string NarrowedListPath => Path + ".narrowed.txt";
}

/// <summary>What the SquashFS step left: the image at <see cref="Path"/>, written by this build or already up to date.</summary>
/// <param name="Written">False when the image was already made from the same layers, epoch and options, and left as it was.</param>
/// <param name="Entries">The entries the image holds (the root folder included when a layer gives it).</param>
/// <param name="NarrowedPaths">Paths whose owner, group and mode grant less than their ACL did; listed in <paramref name="NarrowedListPath"/>.</param>
/// <param name="NarrowedListPath">The list file, or null when no path was narrowed (there is no file then).</param>
internal sealed record SquashfsResult(string Path, bool Written, long Entries, int NarrowedPaths, string? NarrowedListPath);
