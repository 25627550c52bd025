using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Outputs;
using ContainerSdk.Core.Diagnostics;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ContainerSdk.Tasks;

/// <summary>Writes the OCI image layout from the built layers and the image settings of the project.</summary>
public sealed class WriteContainerImage : ContainerTask
{
    [Required]
    public ITaskItem[] Layers { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string LayoutPath { get; set; } = "";

    public string? Repository { get; set; }
    public string[] Tags { get; set; } = Array.Empty<string>();
    public string? User { get; set; }
    public string? WorkingDirectory { get; set; }
    public ITaskItem[] EnvironmentVariables { get; set; } = Array.Empty<ITaskItem>();
    public ITaskItem[] Labels { get; set; } = Array.Empty<ITaskItem>();
    public ITaskItem[] Ports { get; set; } = Array.Empty<ITaskItem>();
    public ITaskItem[] Entrypoint { get; set; } = Array.Empty<ITaskItem>();
    public ITaskItem[] DefaultArgs { get; set; } = Array.Empty<ITaskItem>();
    public string? SourceDateEpoch { get; set; }
    public string? Platform { get; set; }

    /// <summary>The layout path, with metadata Digest (the manifest's), ConfigDigest, Repository and Tags (';'-separated).</summary>
    [Output]
    public ITaskItem? Image { get; private set; }

    protected override void ExecuteCore(IBuildLog log)
    {
        var settings = ToSettings(ProjectFile);
        var layers = Layers.Select(LayerItems.FromItem).ToList();
        var result = ContainerEngine.WriteImage(layers, settings, Path.GetFullPath(LayoutPath), log);
        Image = ToImageItem(result, settings.Repository);
        if (!string.IsNullOrEmpty(ResultFile))
        {
            using var temp = new ContainerSdk.Core.IO.TempFile(ResultFile);
            File.WriteAllText(temp.Path, $"{result.ManifestDigest}|{result.ConfigDigest}|{settings.Repository}|{string.Join(";", result.Tags)}\n");
            temp.Commit();
        }
    }

    /// <summary>Where to record the result, so that a build that skips this step still returns the image.</summary>
    public string? ResultFile { get; set; }

    public ImageSettings ToSettings(string projectFile) => new()
    {
        Repository = ItemTranslation.ValidateRepository(Repository, projectFile),
        Tags = ItemTranslation.ValidateTags(Tags, projectFile),
        User = NullIfBlank(User),
        WorkingDirectory = NullIfBlank(WorkingDirectory),
        Environment = ItemTranslation.ToPairs(EnvironmentVariables, "ContainerEnvironmentVariable", projectFile),
        Labels = ItemTranslation.ToPairs(Labels, "ContainerLabel", projectFile),
        Ports = ItemTranslation.ToPorts(Ports, projectFile),
        Entrypoint = ItemTranslation.ToArguments(Entrypoint),
        Cmd = ItemTranslation.ToArguments(DefaultArgs),
        Epoch = ItemTranslation.ParseEpoch(SourceDateEpoch, projectFile),
        Platform = ItemTranslation.ParsePlatform(Platform, projectFile),
    };

    public static ITaskItem ToImageItem(ImageResult result, string repository)
    {
        var item = new TaskItem(result.LayoutPath);
        item.SetMetadata("Digest", result.ManifestDigest.ToString());
        item.SetMetadata("ConfigDigest", result.ConfigDigest.ToString());
        item.SetMetadata("Repository", repository);
        item.SetMetadata("Tags", string.Join(";", result.Tags));
        return item;
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
