using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using Microsoft.Build.Framework;

namespace ContainerSdk.Tasks;

/// <summary>Pushes the built image (the layout) to ContainerRegistry under ContainerRepository with every tag (target PublishContainer).</summary>
public sealed class PublishContainerImage : ContainerTask
{
    /// <summary>The layout to push; empty when GenerateContainerImageLayout is false: the image step's documents in <see cref="WorkDirectory"/> then.</summary>
    public string? LayoutPath { get; set; }

    /// <summary>The work folder (ContainerIntermediateDirectory), where the image step keeps the documents when it writes no layout.</summary>
    public string? WorkDirectory { get; set; }

    [Required]
    public string Registry { get; set; } = "";

    public string? Repository { get; set; }
    public string[] Tags { get; set; } = Array.Empty<string>();
    public string? InsecureRegistries { get; set; }
    public string? RegistryTimeout { get; set; }
    public string? CacheRepository { get; set; }

    /// <summary>The layers step's layers.state (<see cref="LayerState"/>): each layer's digest, the item that made it and its AllowedRegistries.</summary>
    [Required]
    public string LayersFile { get; set; } = "";

    /// <summary>The pushed manifest's digest (the local image's).</summary>
    [Output]
    public string? Digest { get; private set; }

    private protected override void ExecuteCore(IBuildLog log)
    {
        var settings = new PublishSettings
        {
            Registry = ItemTranslation.AtProject(() => Properties.Registry(Registry), ProjectFile),
            Repository = ItemTranslation.ValidateRepository(Repository, ProjectFile),
            Tags = ItemTranslation.ValidateTags(Tags, ProjectFile),
            Layers = LayerState.Read(LayersFile).Select(l => new PublishedLayer(l.Descriptor.Digest, l.ItemSpec, l.AllowedRegistries, l.Remote)).ToArray(),
        };
        var registries = new RegistrySettings
        {
            InsecureRegistries = InsecureRegistries,
            RegistryTimeout = ItemTranslation.ParseRegistryTimeout(RegistryTimeout, ProjectFile),
            CacheRepository = string.IsNullOrWhiteSpace(CacheRepository) ? null : CacheRepository.Trim(),
        };
        Digest = ContainerEngine.PublishImage(string.IsNullOrWhiteSpace(LayoutPath) ? null : Path.GetFullPath(LayoutPath), settings, registries, log,
            Path.GetFullPath(LayersFile), ItemTranslation.OptionalFullPath(WorkDirectory)).ToString();
    }
}
