using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Core.Outputs;

/// <summary>
/// Pushes the built image to a registry (<c>dotnet publish</c>, target PublishContainer) under every tag the image
/// carries, then the files attached to it (the SBOM, the ACL dump) as its referrers. Licensed layers' AllowedRegistries are checked first, so a refused destination gets no byte; a base pulled
/// from the same registry, or the layer cache there, lends its blobs by mount.
/// </summary>
/// <param name="layers">The build's layers: the item that made each, and where its AllowedRegistries let it go.</param>
/// <param name="cacheRepository">ContainerCacheRepository ("host[:port]/name"), whose layers may be mounted, or null.</param>
internal sealed class RegistryImageWriter(RegistryOptions options, IReadOnlyList<PublishedLayer> layers, string? cacheRepository) : IImageWriter
{
    public IReadOnlyList<string> Names { get; } = new[] { "registry" };

    /// <param name="destination">The repository, as "host[:port]/repository".</param>
    public ImageWriteResult Write(BuiltImage image, string destination, ImageWriteContext context)
    {
        var (registry, repository) = ParseDestination(destination);
        AllowedRegistries.Check(registry, repository, layers.Select(l => (l.SourceItem, l.AllowedRegistries)), "push the image");
        var cache = cacheRepository is null ? ((string Registry, string Repository)?)null : LayerCacheRepository.ParseLocation(cacheRepository);
        bool SameRegistry(string other) => string.Equals(other, registry, StringComparison.OrdinalIgnoreCase);
        var mountFrom = new Dictionary<Digest, string>();
        foreach (var layer in layers)
        {
            // Left in a repository of this registry by the layers step (a build that needs no layer's bytes): mounted from there.
            if (layer.Remote is { } remote && LayerCacheRepository.ParseLocation(remote) is var holder && SameRegistry(holder.Registry))
                mountFrom[layer.Digest] = holder.Repository;
            else if (RegistryReference.IsRegistryReference(layer.SourceItem) && RegistryReference.Parse(layer.SourceItem) is var source
                && SameRegistry(source.Registry))
                mountFrom[layer.Digest] = source.Repository;
            else if (cache is { } c && SameRegistry(c.Registry))
                mountFrom[layer.Digest] = c.Repository;
        }
        var result = new ImagePusher(options, context.Log)
            .PushAsync(registry, repository, image.Tags, image.ManifestJson, image.ManifestDescriptor.MediaType, BlobsOf(image, mountFrom.GetValueOrDefault))
            .GetAwaiter().GetResult();
        if (image.Referrers.Count > 0)
            new ReferrerPusher(options, context.Log).PushAsync(registry, repository, image.ManifestDescriptor, image.Referrers.Select(ArtifactOf).ToArray())
                .GetAwaiter().GetResult();
        return new ImageWriteResult(result.Digest, image.Manifest.Config.Digest, image.Tags, $"{registry}/{repository}") { Pushed = result };
    }

    /// <summary>What a push sends before the manifest: the config and every layer, each opened afresh for each try.</summary>
    /// <param name="mountFrom">A repository of the same registry that may hold the blob already, or null.</param>
    public static IReadOnlyList<PushBlob> BlobsOf(BuiltImage image, Func<Digest, string?> mountFrom)
    {
        var config = image.Manifest.Config;
        var blobs = new List<PushBlob> { new(config, () => new MemoryStream(image.ConfigJson, writable: false), mountFrom(config.Digest)) };
        for (int i = 0; i < image.Layers.Count; i++)
        {
            int layer = i;
            var descriptor = image.Layers[i].Descriptor;
            blobs.Add(new PushBlob(descriptor, () => image.OpenBlob(layer), mountFrom(descriptor.Digest)));
        }
        return blobs;
    }

    /// <summary>What pushing an attached file sends: its manifest, the empty config and the file.</summary>
    private static ReferrerArtifact ArtifactOf(ImageReferrer referrer) => new(referrer.ManifestJson, new[]
    {
        new PushBlob(ArtifactManifest.EmptyConfig, () => new MemoryStream(ArtifactManifest.EmptyJson, writable: false)),
        new PushBlob(referrer.File, referrer.OpenFile),
    });

    /// <summary>"host[:port]/repository": the host is the first component, as the publish step names it (ContainerRegistry/ContainerRepository).</summary>
    private static (string Registry, string Repository) ParseDestination(string destination)
    {
        int slash = destination.IndexOf('/');
        return slash < 0
            ? (Properties.Registry(destination), Properties.Repository(""))
            : (Properties.Registry(destination[..slash]), Properties.Repository(destination[(slash + 1)..]));
    }
}
