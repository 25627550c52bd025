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

    /// <summary>How many layers this build wrote, took unchanged from the layer cache, or reused from a base image: the summary line's counts.</summary>
    public int Built => layers.Count(l => l.Origin == LayerOrigin.Built);
    public int Cached => layers.Count(l => l.Origin == LayerOrigin.Cached);
    public int Reused => layers.Count(l => l.Origin == LayerOrigin.Reused);

    public BuiltLayer this[int index] => layers[index];
    public int Count => layers.Count;
    public IEnumerator<BuiltLayer> GetEnumerator() => layers.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
