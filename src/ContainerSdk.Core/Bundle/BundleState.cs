using ContainerSdk.Core.Cache;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Layers;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// What the last bundle was made from, each with the identities its two output files had then: the layers' fingerprints
/// and the epoch (nothing to flatten when they are the same), and its segments' names (nothing to write).
/// </summary>
internal sealed class BundleState(WorkPaths paths, BundleOutput output)
{
    private const string FormatVersion = SegmentCutter.FormatVersion;

    /// <summary>Every layer's fingerprint is known, and they, the epoch and both outputs are as the last bundle left them.</summary>
    public bool InputsUnchanged(IReadOnlyList<LayerPlan> plans, long epoch) =>
        PlansKey.Of(plans, FormatVersion, epoch) is { } key && File.Exists(paths.BundleInputs) && File.ReadAllText(paths.BundleInputs) == WithOutputs(key);

    public void RecordInputs(IReadOnlyList<LayerPlan> plans, long epoch)
    {
        if (PlansKey.Of(plans, FormatVersion, epoch) is not { } key) return;
        using var temp = new TempFile(paths.BundleInputs);
        temp.WriteAllText(WithOutputs(key));
        temp.Commit();
    }

    /// <summary>The same segments make up the bundle and its dump, untouched since.</summary>
    public bool SegmentsUnchanged(IReadOnlyList<BundleSegment> segments) =>
        File.Exists(paths.BundleState) && File.ReadAllText(paths.BundleState) == WithOutputs(Names(segments));

    public void RecordSegments(IReadOnlyList<BundleSegment> segments)
    {
        using var temp = new TempFile(paths.BundleState);
        temp.WriteAllText(WithOutputs(Names(segments)));
        temp.Commit();
    }

    /// <summary>The segment files the last bundle was made of (full paths), as its state records them: the cache keeps them.</summary>
    public static IReadOnlyList<string> SegmentFiles(WorkPaths paths)
    {
        string[] lines;
        try { lines = File.ReadAllLines(paths.BundleState); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return Array.Empty<string>(); }
        // The names, then the two outputs' stamps.
        return lines.Take(Math.Max(0, lines.Length - 2)).Where(l => l.EndsWith(".gz", StringComparison.Ordinal) && Path.GetFileName(l) == l)
            .Select(l => Path.Combine(paths.BundleSegments, l)).ToList();
    }

    private string WithOutputs(string state) => state + "\n" + FileIdentity.StampOf(output.BundlePath) + "\n" + FileIdentity.StampOf(output.AclPath);

    private static string Names(IReadOnlyList<BundleSegment> segments) => string.Join("\n", segments.Select(s => Path.GetFileName(s.Path)));

}
