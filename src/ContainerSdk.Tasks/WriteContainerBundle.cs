using ContainerSdk.Core.Build;
using ContainerSdk.Core.Diagnostics;
using Microsoft.Build.Framework;

namespace ContainerSdk.Tasks;

/// <summary>Writes the bundle: every layer flattened into one rootfs tarball, and its ACL dump for setfacl --restore.</summary>
public sealed class WriteContainerBundle : ContainerTask
{
    [Required]
    public ITaskItem[] Layers { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string BundlePath { get; set; } = "";

    [Required]
    public string AclPath { get; set; } = "";

    public string? SourceDateEpoch { get; set; }

    protected override void ExecuteCore(IBuildLog log)
    {
        long epoch = ItemTranslation.ParseEpoch(SourceDateEpoch, ProjectFile);
        var layers = Layers.Select(LayerItems.FromItem).ToList();
        ContainerEngine.WriteBundle(layers, Path.GetFullPath(BundlePath), Path.GetFullPath(AclPath), epoch, log);
    }
}
