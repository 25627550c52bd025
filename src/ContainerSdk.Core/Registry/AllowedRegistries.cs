using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Registry;

/// <summary>
/// A licensed module's <c>AllowedRegistries</c>: the registry hosts (or "host/namespace" prefixes) its layer may go
/// to. Checked before a push or a cache write sends anything: a refused destination costs no byte on the wire.
/// </summary>
internal static class AllowedRegistries
{
    public static IReadOnlyList<string> Parse(string? metadata) =>
        (metadata ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static bool Allows(IReadOnlyList<string> allowed, string registry, string repository)
    {
        if (allowed.Count == 0) return true;
        string destination = $"{registry}/{repository}";
        return allowed.Any(a =>
        {
            var entry = a.TrimEnd('/');
            return string.Equals(entry, registry, StringComparison.OrdinalIgnoreCase)
                   || destination.StartsWith(entry + "/", StringComparison.OrdinalIgnoreCase)
                   || string.Equals(destination, entry, StringComparison.OrdinalIgnoreCase);
        });
    }

    /// <summary>Throws CSDK6010 for the first layer that may not go to <paramref name="registry"/>/<paramref name="repository"/>.</summary>
    public static void Check(string registry, string repository, IEnumerable<(string ItemSpec, IReadOnlyList<string> Allowed)> layers, string what)
    {
        foreach (var (itemSpec, allowed) in layers)
            if (!Allows(allowed, registry, repository))
                throw new ContainerSdkException(Codes.RegistryNotAllowed,
                    $"Module '{itemSpec}' may only go to {string.Join(", ", allowed)} (its AllowedRegistries), not to {registry}/{repository}: " +
                    $"refusing to {what} before sending anything.").About("Module", itemSpec);
    }
}
