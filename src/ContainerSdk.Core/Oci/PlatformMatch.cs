
namespace ContainerSdk.Core.Oci;

/// <summary>Which entry of a multi-platform index is for the platform the build targets: an exact variant beats a variant-less entry.</summary>
internal static class PlatformMatch
{
    public static Descriptor? Best(IEnumerable<Descriptor> candidates, Platform wanted)
    {
        var matching = candidates.Where(c => c.Platform is { } p && Matches(p, wanted)).ToList();
        return matching.FirstOrDefault(c => c.Platform!.Variant == wanted.Variant) ?? matching.FirstOrDefault();
    }

    public static bool Matches(Platform p, Platform wanted) =>
        p.Os == wanted.Os && p.Architecture == wanted.Architecture && (wanted.Variant is null || p.Variant is null || p.Variant == wanted.Variant);

    public static string Describe(IEnumerable<Descriptor> candidates) =>
        string.Join(", ", candidates.Select(c => c.Platform?.ToString() ?? "(no platform)"));
}
