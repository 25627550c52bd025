using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Outputs;
using ContainerSdk.Core.Diagnostics;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ContainerSdk.Tasks;

/// <summary>Writes the OCI image layout from the built layers and the image settings of the project.</summary>
public sealed class WriteContainerImage : ContainerTask
{
    /// <summary>The layers step's layers.state (<see cref="LayerState"/>): the built layers, bottom first.</summary>
    [Required]
    public string LayersFile { get; set; } = "";

    /// <summary>
    /// The image settings, one item each (metadata <c>ContainerImageSetting</c> names the setting; a property's item is named
    /// after it and carries <c>Value</c>; a list's items are the project's own items). The targets write the image
    /// step's stamp from the same items, so no setting can change without the step running again.
    /// </summary>
    [Required]
    public ITaskItem[] Settings { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The layout path (the repository when no layout is written), with metadata Digest (the manifest's), ConfigDigest, Repository and Tags (';'-separated).</summary>
    [Output]
    public ITaskItem? Image { get; private set; }

    private protected override void ExecuteCore(IBuildLog log)
    {
        var settings = ToSettings(ProjectFile);
        var layers = LayerState.Read(LayersFile);
        // No LayoutPath: GenerateContainerImageLayout is false, the documents are kept for publishing only.
        string? layoutPath = Property("LayoutPath") is { } layout ? Path.GetFullPath(layout) : null;
        // A refused folder is the property's fault: reported where the project sets ContainerImageLayoutPath.
        if (layoutPath is not null) AtProperty(() => OciLayoutWriter.CheckLayoutPath(layoutPath), "ContainerImageLayoutPath");
        var provenance = new ImageProvenance(ItemTranslation.OptionalFullPath(Property("SbomPath")), ItemTranslation.OptionalFullPath(Property("AclDumpPath")));
        var result = ContainerEngine.WriteImage(layers, settings, layoutPath, log,
            ItemTranslation.OptionalFullPath(WorkDirectory), ItemTranslation.OptionalFullPath(CacheDirectory), provenance);
        Image = ToImageItem(result, settings.Repository);
        if (!string.IsNullOrEmpty(ResultFile)) ImageResultFile.Write(ResultFile, result, settings.Repository);
    }

    /// <summary>Where to record the result, so that a build that skips this step still returns the image.</summary>
    public string? ResultFile { get; set; }

    /// <summary>The layers step's work folder (ContainerIntermediateDirectory): its layer cache keeps trusting the blobs the layout links.</summary>
    public string? WorkDirectory { get; set; }

    /// <summary>ContainerCacheDirectory, as the layers step had it: the blobs (and their stamps) live there when it is set.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>The settings record, whose repository and tags are checked as it is made (reported at the project file).</summary>
    internal ImageSettings ToSettings(string projectFile) => ItemTranslation.AtProject(() => new ImageSettings
    {
        Repository = Property("Repository") ?? "",
        Tags = (Property("Tags") ?? "").Split(';'),
        User = Property("User"),
        WorkingDirectory = Property("WorkingDirectory"),
        Environment = ItemTranslation.ToPairs(List("EnvironmentVariable"), "ContainerEnvironmentVariable", projectFile),
        Labels = ItemTranslation.ToPairs(List("Label"), "ContainerLabel", projectFile),
        Ports = ItemTranslation.ToPorts(List("Port"), projectFile),
        Entrypoint = ItemTranslation.ToArguments(List("Entrypoint")),
        Cmd = ItemTranslation.ToArguments(List("DefaultArgs")),
        Epoch = ItemTranslation.ParseEpoch(Property("SourceDateEpoch"), projectFile),
        Platform = ItemTranslation.ParsePlatform(Property("Platform"), projectFile),
    }, projectFile);

    private IEnumerable<ITaskItem> List(string setting) =>
        Settings.Where(item => item.GetMetadata("ContainerImageSetting") == setting);

    /// <summary>A property's value, or null when blank.</summary>
    private string? Property(string setting) =>
        List(setting).LastOrDefault()?.GetMetadata("Value") is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    internal static ITaskItem ToImageItem(ImageResult result, string repository)
    {
        // Without a layout (GenerateContainerImageLayout false) the image has no local path: it is named by its repository.
        var item = new TaskItem(string.IsNullOrEmpty(result.LayoutPath) ? repository : result.LayoutPath);
        item.SetMetadata("Digest", result.ManifestDigest.ToString());
        item.SetMetadata("ConfigDigest", result.ConfigDigest.ToString());
        item.SetMetadata("Repository", repository);
        item.SetMetadata("Tags", string.Join(";", result.Tags));
        // "site:2026.11 site:latest", as the summary line names the image.
        item.SetMetadata("References", string.Join(" ", result.Tags.Select(tag => $"{repository}:{tag}")));
        return item;
    }
}
