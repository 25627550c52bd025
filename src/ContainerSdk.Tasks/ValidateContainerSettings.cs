using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Tasks;

/// <summary>
/// Checks the properties before any layer work, so that a typo in a tag or the compression fails in a second,
/// not after minutes of layer building. The same parsing functions run again in the tasks that use the values.
/// </summary>
public sealed class ValidateContainerSettings : ContainerTask
{
    public string? Repository { get; set; }
    public string[] Tags { get; set; } = Array.Empty<string>();
    public string? SourceDateEpoch { get; set; }
    public string? Compression { get; set; }
    public string? Platform { get; set; }

    /// <summary>ContainerArchiveFormat, checked only when ContainerArchiveOutputPath is set (the target passes it then).</summary>
    public string? ArchiveFormat { get; set; }

    protected override void ExecuteCore(IBuildLog log)
    {
        ItemTranslation.ValidateRepository(Repository, ProjectFile);
        ItemTranslation.ValidateTags(Tags, ProjectFile);
        ItemTranslation.ParseEpoch(SourceDateEpoch, ProjectFile);
        ItemTranslation.ParseCompression(Compression, ProjectFile);
        ItemTranslation.ParsePlatform(Platform, ProjectFile);
        if (ArchiveFormat is not null) WriteContainerArchive.ParseFormat(ArchiveFormat, ProjectFile);
    }
}
