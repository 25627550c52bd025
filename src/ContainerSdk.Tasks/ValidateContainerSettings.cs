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

    /// <summary>ContainerLayerCompressionLevel (blank is the default).</summary>
    public string? CompressionLevel { get; set; }
    public string? Platform { get; set; }

    /// <summary>ContainerArchiveFormat, checked only when ContainerArchiveOutputPath is set and it is not blank (the target passes it then; blank is the engine's default).</summary>
    public string? ArchiveFormat { get; set; }

    /// <summary>ContainerRegistryTimeout (seconds; blank is the engine's default).</summary>
    public string? RegistryTimeout { get; set; }

    /// <summary>ContainerSquashfsCompression, checked only when GenerateContainerSquashfs is true (the target passes it then).</summary>
    public string? SquashfsCompression { get; set; }

    /// <summary>ContainerSquashfsAclPolicy, likewise.</summary>
    public string? SquashfsAclPolicy { get; set; }

    private protected override void ExecuteCore(IBuildLog log)
    {
        AtProperty(() => ItemTranslation.ValidateRepository(Repository, ProjectFile), "ContainerRepository");
        AtProperty(() => ItemTranslation.ValidateTags(Tags, ProjectFile), "ContainerImageTags", "ContainerImageTag");
        AtProperty(() => ItemTranslation.ParseEpoch(SourceDateEpoch, ProjectFile), "ContainerSourceDateEpoch");
        AtProperty(() => ItemTranslation.ParseCompression(Compression, ProjectFile), "ContainerLayerCompression");
        AtProperty(() => ItemTranslation.ParseCompressionLevel(CompressionLevel, ProjectFile), "ContainerLayerCompressionLevel");
        AtProperty(() => ItemTranslation.ParsePlatform(Platform, ProjectFile), "ContainerPlatform");
        AtProperty(() => ItemTranslation.ParseRegistryTimeout(RegistryTimeout, ProjectFile), "ContainerRegistryTimeout");
        AtProperty(() => ItemTranslation.ParseSquashfsCompression(SquashfsCompression, ProjectFile), "ContainerSquashfsCompression");
        AtProperty(() => ItemTranslation.ParseSquashfsAclPolicy(SquashfsAclPolicy, ProjectFile), "ContainerSquashfsAclPolicy");
        if (ArchiveFormat is not null) AtProperty(() => WriteContainerArchive.ParseFormat(ArchiveFormat, ProjectFile), "ContainerArchiveFormat");
    }
}
