using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Outputs;
using Microsoft.Build.Framework;

namespace ContainerSdk.Tasks;

/// <summary>The image the last image step wrote, from the result it recorded: the Build target's return value on every build.</summary>
public sealed class ReadContainerImageResult : ContainerTask
{
    [Required]
    public string ResultFile { get; set; } = "";

    /// <summary>The layout, or empty when GenerateContainerImageLayout is false (the item is then named by its repository).</summary>
    public string LayoutPath { get; set; } = "";

    /// <summary>The layout path, with metadata Digest (the manifest's), ConfigDigest, Repository and Tags (';'-separated).</summary>
    [Output]
    public ITaskItem? Image { get; private set; }

    private protected override void ExecuteCore(IBuildLog log)
    {
        var (result, repository) = ImageResultFile.Read(ResultFile, LayoutPath);
        Image = WriteContainerImage.ToImageItem(result, repository);
    }
}
