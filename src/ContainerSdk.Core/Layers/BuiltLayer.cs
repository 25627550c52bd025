using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Inputs;

namespace ContainerSdk.Core.Layers;

/// <summary>A layer blob on disk and what the image needs to know about it.</summary>
internal sealed record BuiltLayer
{
    /// <summary>Where the compressed blob is (the engine's layer cache); empty when it was left in a registry (<see cref="Remote"/>).</summary>
    public required string BlobPath { get; init; }

    /// <summary>
    /// The registry repository ("host[:port]/name") holding the blob, when a build that needs no layer's bytes
    /// (GenerateContainerImageLayout false) left it there; publishing mounts it from there or streams it. Null: a local file.
    /// </summary>
    public string? Remote { get; init; }
    public required Descriptor Descriptor { get; init; }

    /// <summary>sha256 of the uncompressed tar (the config's rootfs.diff_ids).</summary>
    public required Digest DiffId { get; init; }

    public required string ItemSpec { get; init; }
    public required LayerKind Kind { get; init; }
    public IReadOnlyList<string> Environment { get; init; } = Array.Empty<string>();
    /// <summary>The module's modulefile as the layer installs it; its environment is evaluated when the config is written.</summary>
    public Modules.InstalledModuleFile? ModuleFile { get; init; }

    public string? Version { get; init; }
    public string? License { get; init; }

    /// <summary>The item's AllowedRegistries (empty: any): where publishing may push this layer.</summary>
    public IReadOnlyList<string> AllowedRegistries { get; init; } = Array.Empty<string>();

    /// <summary>Set for a layer of an image used as a base.</summary>
    public ImageOrigin? FromImage { get; init; }

    /// <summary>The history entry's created_by text.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>Which part of its module this layer is (1-based; <see cref="LayerSplit"/>), 0 when the module is one layer.</summary>
    public int Part { get; init; }

    /// <summary>How many parts its module has, 0 when it is one layer.</summary>
    public int Parts { get; init; }

    /// <summary>The item's TargetPath ("/" when none): where the module is installed (the SBOM's install path).</summary>
    public string TargetPath { get; init; } = "/";

    /// <summary>Full path of the folder or file the item names, or its address as written: what the SBOM names a base by (a tarball's SHA-256).</summary>
    public string? SourcePath { get; init; }

    /// <summary>SHA-256 (hex) of the item's tarball file, from planning (<see cref="LayerPlan.SourceSha256"/>); null for a folder or an image.</summary>
    public string? SourceSha256 { get; init; }

    /// <summary>Where the blob came from on this build: what the build's one-line summary counts.</summary>
    public LayerOrigin Origin { get; init; }
}

/// <summary>
/// Where a layer's blob came from on this build, as the summary line counts it: written by this build; unchanged since
/// the last build here (the layer cache had it); from an earlier build of another project or clone (a shared
/// ContainerCacheDirectory had it); downloaded from the registry cache (ContainerCacheRepository); or reused from an
/// image used as a base.
/// </summary>
internal enum LayerOrigin { Built, Unchanged, Reused, EarlierBuild, RegistryCache }
