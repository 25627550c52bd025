using System.Security.Cryptography;
using System.Text;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Layers;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// The key of what a flattened output is made from: its format, the tool, the epoch, its own options and every layer's
/// fingerprint (which covers every byte of the layer). The bundle and the SquashFS image each keep theirs, and leave
/// their output as it is while the key and the output's identity are unchanged.
/// </summary>
internal static class PlansKey
{
    /// <summary>The key, or null when a layer's fingerprint is unknown (then the output is always written).</summary>
    public static string? Of(IReadOnlyList<LayerPlan> plans, string formatVersion, long epoch, params string[] options)
    {
        if (plans.Any(p => p.Fingerprint is null)) return null;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{formatVersion}\0{LayerFingerprint.ToolVersion}\0{epoch}\0" + string.Concat(options.Select(o => o + "\0"))));
        foreach (var plan in plans) hash.AppendData(plan.Fingerprint!);
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
