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

    protected override void ExecuteCore(IBuildLog log)
    {
        var format = ParseFormat(Format, ProjectFile);
        string repository = ItemTranslation.ValidateRepository(Repository, ProjectFile);
        long epoch = ItemTranslation.ParseEpoch(SourceDateEpoch, ProjectFile);
        ContainerEngine.WriteArchive(Path.GetFullPath(LayoutPath), Path.GetFullPath(ArchivePath), format, repository, epoch, Path.GetFullPath(WorkDirectory), log);
    }

    public static ArchiveFormat ParseFormat(string? value, string projectFile) => (value ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "oci" or "oci-archive" => ArchiveFormat.Oci,
        "docker" or "docker-archive" => ArchiveFormat.Docker,
        _ => throw new ContainerSdkException(Codes.InvalidArchiveFormat,
            $"ContainerArchiveFormat is '{value}': expected oci (an oci-archive) or docker (a docker-archive, for docker load and podman load).", projectFile),
    };
}
