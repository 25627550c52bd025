namespace ContainerSdk.Core.Inputs;

/// <summary>How a build reaches registries: ContainerInsecureRegistries, ContainerCacheDirectory and ContainerCacheRepository.</summary>
internal sealed record RegistrySettings
{
    /// <summary>';'-separated hosts reached over plain HTTP or unverified TLS (DOTNET_CONTAINER_INSECURE_REGISTRIES adds to them).</summary>
    public string? InsecureRegistries { get; init; }

    /// <summary>ContainerCacheDirectory: where layers, segment indexes, bundle segments and pulled blobs are cached; several projects and clones may share it. Null: the work folder.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>ContainerCacheMaxSize, parsed (<see cref="Properties.CacheMaxSize"/>): bytes of older blobs kept beyond the current build's; null: the image's size.</summary>
    public long? CacheMaxSize { get; init; }

    /// <summary>"host[:port]/name": the registry repository used as a shared layer cache, or null.</summary>
    public string? CacheRepository { get; init; }

    /// <summary>ContainerRegistryTimeout, parsed (<see cref="Properties.RegistryTimeout"/>): how long one request may wait without an answer.</summary>
    public TimeSpan RegistryTimeout { get; init; } = TimeSpan.FromSeconds(Properties.DefaultRegistryTimeout);
}

/// <summary>
/// One layer of the image being published: which item made it, where that item's AllowedRegistries let it go, and the
/// registry repository ("host[:port]/name") that holds its blob when the layers step left it there (no local file).
/// </summary>
internal sealed record PublishedLayer(Oci.Digest Digest, string SourceItem, IReadOnlyList<string> AllowedRegistries, string? Remote = null);

/// <summary>What <c>dotnet publish</c> pushes where (ContainerRegistry, ContainerRepository, every tag).</summary>
internal sealed record PublishSettings
{
    public required string Registry { get; init; }
    public required string Repository { get; init; }
    public required IReadOnlyList<string> Tags { get; init; }
    public IReadOnlyList<PublishedLayer> Layers { get; init; } = Array.Empty<PublishedLayer>();
}
