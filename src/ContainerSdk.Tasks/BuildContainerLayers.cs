using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Diagnostics;
using Microsoft.Build.Framework;

namespace ContainerSdk.Tasks;

/// <summary>One layer per BaseLayer and Module item, in item order; the engine's layer cache decides what is rebuilt.</summary>
public sealed class BuildContainerLayers : ContainerTask, ICancelableTask
{
    private readonly CancellationTokenSource _cancel = new();

    public ITaskItem[] BaseLayers { get; set; } = Array.Empty<ITaskItem>();
    public ITaskItem[] Modules { get; set; } = Array.Empty<ITaskItem>();
    public ITaskItem[] AclFiles { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The flattened bundle to write (ContainerBundleOutputPath), or empty for none.</summary>
    public string? BundlePath { get; set; }

    /// <summary>Its ACL dump (ContainerBundleAclPath).</summary>
    public string? BundleAclPath { get; set; }
    public string? SourceDateEpoch { get; set; }

    /// <summary>The SquashFS image to write (ContainerSquashfsOutputPath when GenerateContainerSquashfs is true), or empty for none.</summary>
    public string? SquashfsPath { get; set; }

    /// <summary>ContainerSquashfsCompression; empty is the engine's default.</summary>
    public string? SquashfsCompression { get; set; }

    /// <summary>ContainerSquashfsAclPolicy; empty is the engine's default.</summary>
    public string? SquashfsAclPolicy { get; set; }
    public string? Compression { get; set; }

    /// <summary>ContainerLayerCompressionLevel: default (blank), fastest or smallest.</summary>
    public string? CompressionLevel { get; set; }

    /// <summary>ContainerModulePath: the image folder modulefiles are installed into; empty is the engine's default.</summary>
    public string? ModulePath { get; set; }

    /// <summary>ContainerLmodSitePackage: the site's SitePackage.lua, read with every modulefile; empty for none.</summary>
    public string? LmodSitePackage { get; set; }
    /// <summary>ContainerLayerSplitSize: a module larger than this becomes several layers; 0 never; empty is the engine's default.</summary>
    public string? LayerSplitSize { get; set; }

    /// <summary>ContainerPlatform: picks the image of a multi-platform base.</summary>
    public string? Platform { get; set; }

    /// <summary>The engine's own folder under the intermediate output (spool files, layer cache).</summary>
    [Required]
    public string WorkDirectory { get; set; } = "";

    /// <summary>ContainerInsecureRegistries: hosts reached over plain HTTP or unverified TLS.</summary>
    public string? InsecureRegistries { get; set; }

    /// <summary>ContainerRegistryTimeout: seconds one registry request may wait without an answer; empty is the engine's default.</summary>
    public string? RegistryTimeout { get; set; }

    /// <summary>ContainerCacheDirectory: where layers, their segment indexes, bundle segments and pulled blobs are cached (shareable); empty for the work folder.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>ContainerCacheMaxSize: bytes (or a size with a unit) of older blobs the cache keeps; empty for the image's size.</summary>
    public string? CacheMaxSize { get; set; }

    /// <summary>ContainerCacheRepository: a registry repository used as a shared layer cache, or empty.</summary>
    public string? CacheRepository { get; set; }

    /// <summary>Where the layers came from, as the summary line says it (<c>2 built, 3 unchanged</c>: <see cref="LayersResult.Summary"/>).</summary>
    [Output] public string LayersSummary { get; private set; } = "";
    /// <summary>
    /// Whether the image is written here (GenerateContainerImageLayout, or an archive made from the layout). False, with
    /// no bundle and no SquashFS image: nothing reads a layer's bytes, so the registry cache's hits are left there.
    /// </summary>
    public bool LocalImage { get; set; } = true;

    /// <summary>
    /// Each layer's blob digest (<c>sha256:…</c>), bottom first: the image step names the layout's blobs by them (its
    /// Inputs), so that a blob deleted from the layout brings the step back without a folder walked.
    /// </summary>
    [Output] public string[] LayerDigests { get; private set; } = Array.Empty<string>();

    /// <summary>The SquashFS image and, when paths were narrowed, their list beside it: files this build owns (FileWrites).</summary>
    [Output] public string[] SquashfsFiles { get; private set; } = Array.Empty<string>();

    /// <summary>Whether a path of the flattened tree has an ACL naming a user or a group (that a SquashFS conversion cannot keep).</summary>
    [Output] public bool CarriesNamedAcls { get; private set; }

    public void Cancel() => _cancel.Cancel();

    protected override IEnumerable<(string Type, ITaskItem Item)> Items =>
        BaseLayers.Select(i => ("BaseLayer", i)).Concat(Modules.Select(i => ("Module", i))).Concat(AclFiles.Select(i => ("AclFile", i)));

    private protected override void ExecuteCore(IBuildLog log)
    {
        var options = ToOptions(SourceDateEpoch, Compression, WorkDirectory, ProjectFile) with
        {
            Platform = ItemTranslation.ParsePlatform(Platform, ProjectFile),
            ModulePath = ItemTranslation.ParseModulePath(ModulePath, ProjectFile),
            LmodSitePackage = ItemTranslation.ParseLmodSitePackage(LmodSitePackage, ProjectFile),
            SplitSize = ItemTranslation.ParseLayerSplitSize(LayerSplitSize, ProjectFile),
            LocalImage = LocalImage,
            CompressionLevel = ItemTranslation.ParseCompressionLevel(CompressionLevel, ProjectFile),
        };
        var inputs = ToLayerRequests(BaseLayers, Modules, ProjectFile);
        var aclFiles = AclFiles.Select(a => About("AclFile", a, () => ItemTranslation.ToAclFileRequest(a, ProjectFile))).ToList();
        var bundle = string.IsNullOrEmpty(BundlePath) ? null : ContainerEngine.Bundle(BundlePath, BundleAclPath);
        var registries = new RegistrySettings
        {
            InsecureRegistries = InsecureRegistries,
            RegistryTimeout = ItemTranslation.ParseRegistryTimeout(RegistryTimeout, ProjectFile),
            CacheDirectory = ItemTranslation.OptionalFullPath(CacheDirectory),
            CacheMaxSize = ItemTranslation.ParseCacheMaxSize(CacheMaxSize, ProjectFile),
            CacheRepository = string.IsNullOrWhiteSpace(CacheRepository) ? null : CacheRepository.Trim(),
        };
        var squashfs = string.IsNullOrEmpty(SquashfsPath) ? null
            : ItemTranslation.AtProject(() => ContainerEngine.Squashfs(SquashfsPath, SquashfsCompression, SquashfsAclPolicy), ProjectFile);
        var built = ContainerEngine.BuildLayers(inputs, aclFiles, options, log, _cancel.Token, bundle, registries, squashfs: squashfs);
        LayersSummary = built.Summary;
        LayerDigests = built.Select(l => l.Descriptor.Digest.ToString()).ToArray();
        SquashfsFiles = built.Squashfs is { } image ? new[] { image.Path, image.NarrowedListPath }.OfType<string>().ToArray() : Array.Empty<string>();
        CarriesNamedAcls = built.CarriesNamedAcls;
        LayerState.Write(StateFile, built);
    }

    /// <summary>
    /// Where the built layers go for the steps after this one (<see cref="LayerState"/>, layers.state): it changes
    /// exactly when a layer changes, so it is also the image step's MSBuild Input.
    /// </summary>
    [Required]
    public string StateFile { get; set; } = "";

    internal static LayerBuildOptions ToOptions(string? epoch, string? compression, string workDirectory, string projectFile) => new()
    {
        Epoch = ItemTranslation.ParseEpoch(epoch, projectFile),
        Compression = ItemTranslation.ParseCompression(compression, projectFile),
        WorkDirectory = Path.GetFullPath(workDirectory),
    };

    internal static IReadOnlyList<LayerRequest> ToLayerRequests(IEnumerable<ITaskItem> baseLayers, IEnumerable<ITaskItem> modules, string projectFile)
    {
        var inputs = baseLayers.Select(b => About("BaseLayer", b, () => ItemTranslation.ToLayerRequest(b, LayerKind.Base, projectFile)))
            .Concat(modules.Select(m => About("Module", m, () => ItemTranslation.ToLayerRequest(m, LayerKind.Module, projectFile))))
            .ToList();
        if (inputs.Count == 0) throw new ContainerSdkException(Codes.NoLayers, LayerInputs.NoLayers().Message, projectFile);
        return inputs;
    }

    /// <summary>Tags an error about an item with the item, so that it is reported at the item's line.</summary>
    private static T About<T>(string itemType, ITaskItem item, Func<T> translate)
    {
        try { return translate(); }
        catch (ContainerSdkException e) { throw e.About(itemType, item.ItemSpec); }
    }
}
