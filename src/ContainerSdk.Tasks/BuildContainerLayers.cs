using ContainerSdk.Core.Build;
using ContainerSdk.Core.Diagnostics;
using Microsoft.Build.Framework;

namespace ContainerSdk.Tasks;

/// <summary>One layer per BaseLayer and Module item, in item order; the engine's layer cache decides what is rebuilt.</summary>
public sealed class BuildContainerLayers : ContainerTask, ICancelableTask
{
    private readonly CancellationTokenSource _cancel = new();

    public ITaskItem[] BaseLayers { get; set; } = Array.Empty<ITaskItem>();
    public ITaskItem[] Modules { get; set; } = Array.Empty<ITaskItem>();
    public ITaskItem[] AclFiles { get; set; } = Array.Empty<ITaskItem>();
    public string? SourceDateEpoch { get; set; }
    public string? Compression { get; set; }

    /// <summary>ContainerPlatform: picks the image of a multi-platform base.</summary>
    public string? Platform { get; set; }

    /// <summary>The engine's own folder under the intermediate output (spool files, layer cache).</summary>
    [Required]
    public string WorkDirectory { get; set; } = "";

    /// <summary>The <c>_ContainerLayer</c> items, bottom layer first.</summary>
    [Output]
    public ITaskItem[] Layers { get; private set; } = Array.Empty<ITaskItem>();

    public void Cancel() => _cancel.Cancel();

    protected override void ExecuteCore(IBuildLog log)
    {
        var options = ToOptions(SourceDateEpoch, Compression, WorkDirectory, ProjectFile) with
        {
            Platform = ItemTranslation.ParsePlatform(string.IsNullOrWhiteSpace(Platform) ? "linux/amd64" : Platform, ProjectFile),
        };
        var inputs = ToLayerInputs(BaseLayers, Modules, ProjectFile);
        var aclFiles = AclFiles.Select(a => ItemTranslation.ToAclFileInput(a, ProjectFile)).ToList();
        var built = ContainerEngine.BuildLayers(inputs, aclFiles, options, log, _cancel.Token);
        Layers = built.Select(LayerItems.ToItem).ToArray();
    }

    public static LayerBuildOptions ToOptions(string? epoch, string? compression, string workDirectory, string projectFile) => new()
    {
        Epoch = ItemTranslation.ParseEpoch(epoch, projectFile),
        Compression = ItemTranslation.ParseCompression(compression, projectFile),
        WorkDirectory = Path.GetFullPath(workDirectory),
    };

    public static IReadOnlyList<LayerInput> ToLayerInputs(IEnumerable<ITaskItem> baseLayers, IEnumerable<ITaskItem> modules, string projectFile)
    {
        var inputs = baseLayers.Select(b => ItemTranslation.ToLayerInput(b, LayerKind.Base, projectFile))
            .Concat(modules.Select(m => ItemTranslation.ToLayerInput(m, LayerKind.Module, projectFile)))
            .ToList();
        if (inputs.Count == 0)
            throw new ContainerSdkException(Codes.NoLayers,
                "The project has no BaseLayer and no Module item: an image needs at least one layer.", projectFile);
        return inputs;
    }
}
