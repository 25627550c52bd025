using System.Security.Cryptography;
using System.Text;
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
        plans.All(p => p.Fingerprint is not null) && File.Exists(paths.BundleInputs) && File.ReadAllText(paths.BundleInputs) == WithOutputs(InputsKey(plans, epoch));

    public void RecordInputs(IReadOnlyList<LayerPlan> plans, long epoch)
    {
        if (plans.Any(p => p.Fingerprint is null)) return;
        using var temp = new TempFile(paths.BundleInputs);
        temp.WriteAllText(WithOutputs(InputsKey(plans, epoch)));
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

    private string WithOutputs(string state) => state + "\n" + FileIdentity.StampOf(output.BundlePath) + "\n" + FileIdentity.StampOf(output.AclPath);

    private static string Names(IReadOnlyList<BundleSegment> segments) => string.Join("\n", segments.Select(s => Path.GetFileName(s.Path)));

    private static string InputsKey(IReadOnlyList<LayerPlan> plans, long epoch)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{FormatVersion}\0{LayerFingerprint.ToolVersion}\0{epoch}\0"));
        foreach (var plan in plans) hash.AppendData(plan.Fingerprint ?? Array.Empty<byte>());
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
