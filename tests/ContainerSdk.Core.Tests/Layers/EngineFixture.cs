using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Bundle;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Tests;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Outputs;
using ContainerSdk.Core.Blobs;

namespace ContainerSdk.Core.Tests.Layers;

/// <summary>
/// Builds small stacks through the engine facade, as the tasks do, and keeps what the log said. The project's obj/
/// and out/ folders sit in <paramref name="project"/> below the run's temporary folder.
/// </summary>
internal sealed class EngineRun(string? prefix = null, string project = "") : IDisposable
{
    public TempDir Dir { get; } = new(prefix ?? "eng");
    public RecordingLog Log { get; } = new();
    public string Work => Dir.Combine(project, "obj");
    public string Layout => Dir.Combine(project, "out", "image");
    public string Bundle => Dir.Combine(project, "out", "site.tar.gz");
    public string BundleAcl => Dir.Combine(project, "out", "site.acl");

    public static LayerInput Base(string path) => new() { ItemSpec = Path.GetFileName(path), Kind = LayerKind.Base, SourcePath = path };

    public static LayerInput Module(string path, string target = "/") =>
        new() { ItemSpec = Path.GetFileName(path), Kind = LayerKind.Module, SourcePath = path, TargetPath = target };

    public IReadOnlyList<BuiltLayer> Layers(IReadOnlyList<LayerInput> inputs, long epoch = 0, LayerCompression compression = LayerCompression.Gzip,
        IReadOnlyList<AclFileInput>? aclFiles = null, bool bundle = false, TimeProvider? clock = null, long splitSize = Properties.DefaultLayerSplitSize) =>
        ContainerEngine.BuildLayers(Validate(inputs), (aclFiles ?? Array.Empty<AclFileInput>()).Select(LayerInputs.Validate).ToList(),
            new LayerBuildOptions { Epoch = epoch, Compression = compression, WorkDirectory = Work, SplitSize = splitSize },
            Log, default, bundle ? new BundleOutput(Bundle, BundleAcl) : null, clock: clock);

    /// <summary>The items as the task hands them to the engine: checked once.</summary>
    public static IReadOnlyList<LayerRequest> Validate(IEnumerable<LayerInput> inputs) => inputs.Select(LayerInputs.Validate).ToList();

    public (IReadOnlyList<BuiltLayer> Layers, ImageResult Image) Build(IReadOnlyList<LayerInput> inputs, long epoch = 0)
    {
        var layers = Layers(inputs, epoch, bundle: true);
        var image = ContainerEngine.WriteImage(layers, new ImageSettings { Repository = "site", Tags = new[] { "1.0" }, Epoch = epoch }, Layout, Log, Work);
        return (layers, image);
    }

    public void Dispose() => Dir.Dispose();
}
