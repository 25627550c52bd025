using System.Globalization;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Layers;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// What the last SquashFS image was made from (the layers' fingerprints, the epoch, the options) and the identities the
/// image and its narrowed list had then: when all are the same, the image is left as it is. The state is recorded only
/// after the image is in place, so a build killed while writing never leaves a state that vouches for another image.
/// </summary>
internal sealed class SquashfsState(string stateFile, SquashfsOutput output)
{
    // Bump when the same plans would give other bytes (the tree's mapping, the writer's format).
    private const string FormatVersion = "squashfs-1";

    /// <summary>The key of the inputs, or null when a layer's fingerprint is unknown (then the image is always written).</summary>
    public string? Key(IReadOnlyList<LayerPlan> plans, long epoch) =>
        PlansKey.Of(plans, FormatVersion, epoch, output.Compression.ToString(), output.AclPolicy.ToString(), output.Path);

    /// <summary>The last build's result, when it was made from <paramref name="key"/> and neither output changed since.</summary>
    public SquashfsResult? Unchanged(string key)
    {
        if (!File.Exists(stateFile)) return null;
        var lines = File.ReadAllLines(stateFile);
        if (lines.Length != 5 || lines[0] != key || lines[1] != FileIdentity.StampOf(output.Path) || lines[2] != FileIdentity.StampOf(output.NarrowedListPath))
            return null;
        if (!long.TryParse(lines[3], NumberStyles.None, CultureInfo.InvariantCulture, out var entries)
            || !int.TryParse(lines[4], NumberStyles.None, CultureInfo.InvariantCulture, out var narrowed)) return null;
        return new SquashfsResult(output.Path, Written: false, entries, narrowed, narrowed > 0 ? output.NarrowedListPath : null);
    }

    public void Record(string? key, SquashfsResult result)
    {
        if (key is null)
        {
            Forget();
            return;
        }
        using var temp = new TempFile(stateFile);
        temp.WriteAllLines(new[]
        {
            key, FileIdentity.StampOf(output.Path), FileIdentity.StampOf(output.NarrowedListPath),
            result.Entries.ToString(CultureInfo.InvariantCulture), result.NarrowedPaths.ToString(CultureInfo.InvariantCulture),
        });
        temp.Commit();
    }

    public void Forget()
    {
        if (File.Exists(stateFile)) File.Delete(stateFile);
    }
}
