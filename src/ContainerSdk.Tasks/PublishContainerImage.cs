using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Signing;
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

    /// <summary>ContainerSigningKey: a GPG key name or a PEM private key's path; blank signs nothing. Its passphrase comes from the environment only.</summary>
    public string? SigningKey { get; set; }

    /// <summary>ContainerSignatureStore: the lookaside folder GPG signatures are written to.</summary>
    public string? SignatureStore { get; set; }

    /// <summary>The layers step's layers.state (<see cref="LayerState"/>): each layer's digest, the item that made it and its AllowedRegistries.</summary>
    [Required]
    public string LayersFile { get; set; } = "";

    /// <summary>The pushed manifest's digest (the local image's).</summary>
    [Output]
    public string? Digest { get; private set; }

    /// <summary>What the push sent, mounted and found already there, blobs and bytes (the publish line).</summary>
    [Output]
    public string? Pushed { get; private set; }

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
        // The key is opened and tried before any byte is pushed; its errors point at ContainerSigningKey.
        IImageSigner? signer = null;
        AtProperty(() => signer = ContainerEngine.OpenSigningKey(SigningKey, SignatureStore, Path.GetDirectoryName(ProjectFile)!),
            "ContainerSigningKey", "ContainerSignatureStore");
        using (signer)
        {
            var published = ContainerEngine.PublishImage(string.IsNullOrWhiteSpace(LayoutPath) ? null : Path.GetFullPath(LayoutPath), settings, registries, log,
                signer, Path.GetFullPath(LayersFile), ItemTranslation.OptionalFullPath(WorkDirectory));
            (Digest, Pushed) = (published.Digest.ToString(), published.Summary);
        }
    }
}
