using ContainerSdk.Core.Bundle;
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

    /// <summary>The flattened bundle to write (ContainerBundleOutputPath), or empty for none.</summary>
    public string? BundlePath { get; set; }

    /// <summary>Its ACL dump (ContainerBundleAclPath).</summary>
    public string? BundleAclPath { get; set; }
    public string? SourceDateEpoch { get; set; }
    public string? Compression { get; set; }

    /// <summary>The engine's own folder under the intermediate output (spool files, layer cache).</summary>
    [Required]
    public string WorkDirectory { get; set; } = "";

    /// <summary>The <c>_ContainerLayer</c> items, bottom layer first.</summary>
    [Output]
    public ITaskItem[] Layers { get; private set; } = Array.Empty<ITaskItem>();

    public void Cancel() => _cancel.Cancel();

    protected override void ExecuteCore(IBuildLog log)
    {
        var options = ToOptions(SourceDateEpoch, Compression, WorkDirectory, ProjectFile);
        var inputs = ToLayerInputs(BaseLayers, Modules, ProjectFile);
        var aclFiles = AclFiles.Select(a => About("AclFile", a, () => ItemTranslation.ToAclFileInput(a, ProjectFile))).ToList();
        var bundle = string.IsNullOrEmpty(BundlePath) ? null
            : new BundleOutput(Path.GetFullPath(BundlePath), Path.GetFullPath(string.IsNullOrEmpty(BundleAclPath) ? Path.ChangeExtension(BundlePath, ".acl") : BundleAclPath));
        var built = ContainerEngine.BuildLayers(inputs, aclFiles, options, log, _cancel.Token, bundle);
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
        var inputs = baseLayers.Select(b => About("BaseLayer", b, () => ItemTranslation.ToLayerInput(b, LayerKind.Base, projectFile)))
            .Concat(modules.Select(m => About("Module", m, () => ItemTranslation.ToLayerInput(m, LayerKind.Module, projectFile))))
            .ToList();
        if (inputs.Count == 0)
            throw new ContainerSdkException(Codes.NoLayers,
                "The project has no BaseLayer and no Module item: an image needs at least one layer.", projectFile);
        return inputs;
    }

    /// <summary>Tags an error about an item with the item, so that it is reported at the item's line.</summary>
    private static T About<T>(string itemType, ITaskItem item, Func<T> translate)
    {
        try { return translate(); }
        catch (ContainerSdkException e) { throw e.About(itemType, item.ItemSpec); }
    }
}
