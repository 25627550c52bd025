using System.Collections;
using ContainerSdk.Core.Bundle;
using ContainerSdk.Core.Layers;

namespace ContainerSdk.Core.Engine;

/// <summary>
/// What <see cref="ContainerEngine.BuildLayers"/> built: the layers, in item order (it is the list of them, so callers
/// that only want the layers read it as they always did), and what the build's summary says about the flattened tree.
/// </summary>
internal sealed class LayersResult(IReadOnlyList<BuiltLayer> layers, SquashfsResult? squashfs, bool carriesNamedAcls) : IReadOnlyList<BuiltLayer>
{
    /// <summary>The SquashFS image, when one was asked for: written by this build, or already up to date (<see cref="SquashfsResult.Written"/>).</summary>
    public SquashfsResult? Squashfs { get; } = squashfs;

    /// <summary>
    /// The flattened tree has a path whose access ACL names a user or a group. SquashFS cannot keep those entries:
    /// <c>apptainer build</c> from the OCI image widens them; the SquashFS output narrows them instead.
    /// </summary>
    public bool CarriesNamedAcls { get; } = carriesNamedAcls;

    /// <summary>How many layers came from each place (<see cref="LayerOrigin"/>): the summary line's counts.</summary>
    public int CountFrom(LayerOrigin origin) => layers.Count(l => l.Origin == origin);

    /// <summary>
    /// The layers' counts as the summary line says them, e.g. <c>2 built, 3 unchanged</c>: the places in a fixed order,
    /// those with no layer left out, in words that say where a layer came from (a layer "from cache" read as a download).
    /// </summary>
    public string Summary => Summarize(layers.Select(l => l.Origin));

    internal static string Summarize(IEnumerable<LayerOrigin> origins)
    {
        var counts = origins.GroupBy(o => o).ToDictionary(g => g.Key, g => g.Count());
        var parts = new[]
        {
            (LayerOrigin.Built, "built"),
            (LayerOrigin.Unchanged, "unchanged"),
            (LayerOrigin.EarlierBuild, "from an earlier build"),
            (LayerOrigin.RegistryCache, "from the registry cache"),
            (LayerOrigin.Reused, "from the base image"),
        }.Where(p => counts.GetValueOrDefault(p.Item1) > 0).Select(p => $"{counts[p.Item1]} {p.Item2}").ToList();
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    public BuiltLayer this[int index] => layers[index];
    public int Count => layers.Count;
    public IEnumerator<BuiltLayer> GetEnumerator() => layers.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
