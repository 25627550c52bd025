using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using Microsoft.Build.Framework;

namespace ContainerSdk.Tasks;

/// <summary>Pushes the built image (the layout) to ContainerRegistry under ContainerRepository with every tag (target PublishContainer).</summary>
public sealed class PublishContainerImage : ContainerTask
{
    [Required]
    public string LayoutPath { get; set; } = "";

    [Required]
    public string Registry { get; set; } = "";

    public string? Repository { get; set; }
    public string[] Tags { get; set; } = Array.Empty<string>();
    public string? InsecureRegistries { get; set; }
    public string? RegistryTimeout { get; set; }
    public string? CacheRepository { get; set; }

    /// <summary>The build's layers (_ContainerLayer): the digest and the item that made each.</summary>
    public ITaskItem[] Layers { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The Module items, for their AllowedRegistries.</summary>
    public ITaskItem[] Modules { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The pushed manifest's digest (the local image's).</summary>
    [Output]
    public string? Digest { get; private set; }

    protected override void ExecuteCore(IBuildLog log)
    {
        var allowed = Modules.GroupBy(m => m.ItemSpec, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => ItemTranslation.SplitList(g.First(), "AllowedRegistries"), StringComparer.Ordinal);
        var settings = new PublishSettings
        {
            Registry = ItemTranslation.AtProject(() => Properties.Registry(Registry), ProjectFile),
            Repository = ItemTranslation.ValidateRepository(Repository, ProjectFile),
            Tags = ItemTranslation.ValidateTags(Tags, ProjectFile),
            Layers = Layers.Select(l => new PublishedLayer(Core.Oci.Digest.Parse(l.GetMetadata("Digest")), l.GetMetadata("SourceItem"),
                allowed.GetValueOrDefault(l.GetMetadata("SourceItem")) ?? Array.Empty<string>())).ToArray(),
        };
        var registries = new RegistrySettings
        {
            InsecureRegistries = InsecureRegistries,
            RegistryTimeout = RegistryTimeout,
            CacheRepository = string.IsNullOrWhiteSpace(CacheRepository) ? null : CacheRepository.Trim(),
        };
        Digest = ContainerEngine.PublishImage(Path.GetFullPath(LayoutPath), settings, registries, log).ToString();
    }
}
