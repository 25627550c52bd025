using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Diagnostics;
using Microsoft.Build.Framework;

namespace ContainerSdk.Tasks;

/// <summary>Writes the image the layout holds as one file (ContainerArchiveOutputPath), oci-archive or docker-archive.</summary>
public sealed class WriteContainerArchive : ContainerTask
{
    [Required]
    public string LayoutPath { get; set; } = "";

    [Required]
    public string ArchivePath { get; set; } = "";

    public string? Format { get; set; }
    public string? Repository { get; set; }
    public string? SourceDateEpoch { get; set; }

    [Required]
    public string WorkDirectory { get; set; } = "";

    private protected override void ExecuteCore(IBuildLog log)
    {
        // The format (blank: the engine's default) and the repository are checked by the engine, once; its errors point at the project.
        long epoch = ItemTranslation.ParseEpoch(SourceDateEpoch, ProjectFile);
        ContainerEngine.WriteArchive(Path.GetFullPath(LayoutPath), Path.GetFullPath(ArchivePath), Format, Repository ?? "", epoch, Path.GetFullPath(WorkDirectory), log);
    }

    /// <summary>The engine's writer for ContainerArchiveFormat (blank is the engine's default), reported at the project file.</summary>
    public static string ParseFormat(string? value, string projectFile) => ItemTranslation.AtProject(() => Composition.ArchiveWriter(value).Names[0], projectFile);
}
