using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Engine;
using Microsoft.Build.Framework;

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

    /// <summary>ContainerLayerSplitSize (bytes with an optional unit; blank is the engine's default).</summary>
    public string? LayerSplitSize { get; set; }

    /// <summary>ContainerSquashfsCompression, checked only when GenerateContainerSquashfs is true (the target passes it then).</summary>
    public string? SquashfsCompression { get; set; }

    /// <summary>ContainerSquashfsAclPolicy, likewise.</summary>
    public string? SquashfsAclPolicy { get; set; }

    /// <summary>ContainerSigningKey and ContainerSignatureStore: only whether a GPG key has its store (the key itself is opened by publish).</summary>
    public string? SigningKey { get; set; }

    public string? SignatureStore { get; set; }

    /// <summary>The project's BaseLayer, Module and AclFile items as written: their metadata names are checked (a typo is a warning at the item).</summary>
    public ITaskItem[] BaseLayers { get; set; } = Array.Empty<ITaskItem>();
    public ITaskItem[] Modules { get; set; } = Array.Empty<ITaskItem>();
    public ITaskItem[] AclFiles { get; set; } = Array.Empty<ITaskItem>();

    protected override IEnumerable<(string Type, ITaskItem Item)> Items =>
        BaseLayers.Select(i => ("BaseLayer", i)).Concat(Modules.Select(i => ("Module", i))).Concat(AclFiles.Select(i => ("AclFile", i)));

    private protected override void ExecuteCore(IBuildLog log)
    {
        // Once per build, before any layer work: the layers step reads the same items without repeating these.
        foreach (var (type, item) in Items)
            foreach (var (code, message) in ItemTranslation.MetadataWarnings(type, item))
                log.WarningAbout(type, item.ItemSpec, code, message);
        AtProperty(() => ItemTranslation.ValidateRepository(Repository, ProjectFile), "ContainerRepository");
        AtProperty(() => ItemTranslation.ValidateTags(Tags, ProjectFile), "ContainerImageTags", "ContainerImageTag");
        AtProperty(() => ItemTranslation.ParseEpoch(SourceDateEpoch, ProjectFile), "ContainerSourceDateEpoch");
        AtProperty(() => ItemTranslation.ParseCompression(Compression, ProjectFile), "ContainerLayerCompression");
        AtProperty(() => ItemTranslation.ParseCompressionLevel(CompressionLevel, ProjectFile), "ContainerLayerCompressionLevel");
        AtProperty(() => ItemTranslation.ParsePlatform(Platform, ProjectFile), "ContainerPlatform");
        AtProperty(() => ItemTranslation.ParseRegistryTimeout(RegistryTimeout, ProjectFile), "ContainerRegistryTimeout");
        AtProperty(() => ItemTranslation.ParseLayerSplitSize(LayerSplitSize, ProjectFile), "ContainerLayerSplitSize");
        AtProperty(() => ItemTranslation.ParseSquashfsCompression(SquashfsCompression, ProjectFile), "ContainerSquashfsCompression");
        AtProperty(() => ItemTranslation.ParseSquashfsAclPolicy(SquashfsAclPolicy, ProjectFile), "ContainerSquashfsAclPolicy");
        AtProperty(() => ContainerEngine.CheckSigningSettings(SigningKey, SignatureStore, Path.GetDirectoryName(ProjectFile) ?? ""), "ContainerSigningKey");
        if (ArchiveFormat is not null) AtProperty(() => WriteContainerArchive.ParseFormat(ArchiveFormat, ProjectFile), "ContainerArchiveFormat");
    }
}
