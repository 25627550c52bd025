using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Core.Outputs;

/// <summary>
/// Pushes the built image to a registry (<c>dotnet publish</c>, target PublishContainer). Licensed layers'
/// AllowedRegistries are checked first, so a refused destination gets no byte; a base pulled from the same registry, or
/// the layer cache there, lends its blobs by mount.
/// </summary>
public sealed class RegistryImageWriter(RegistryOptions options, PublishSettings settings, string? cacheRepository) : IImageWriter
{
    public IReadOnlyList<string> Names { get; } = new[] { "registry" };

    /// <summary>The pushed manifest's digest (the local one), once <see cref="Write"/> ran.</summary>
    public Digest? PushedDigest { get; private set; }

    public void Write(BuiltImage image, string destination, ImageWriteContext context)
    {
        AllowedRegistries.Check(settings.Registry, settings.Repository, settings.Layers.Select(l => (l.SourceItem, l.AllowedRegistries)), "push the image");
        var cache = cacheRepository is null ? ((string, string)?)null : LayerCacheRepository.ParseLocation(cacheRepository);
        var mountFrom = new Dictionary<Digest, string>();
        foreach (var layer in settings.Layers)
        {
            if (RegistryReference.IsRegistryReference(layer.SourceItem) && RegistryReference.Parse(layer.SourceItem) is var source
                && SameRegistry(source.Registry))
                mountFrom[layer.Digest] = source.Repository;
            else if (cache is { } c && SameRegistry(c.Item1))
                mountFrom[layer.Digest] = c.Item2;
        }
        var blobs = new[] { image.Manifest.Config }.Concat(image.Manifest.Layers)
            .Select(d => new PushBlob(d, () => image.OpenBlob(d.Digest), mountFrom.GetValueOrDefault(d.Digest))).ToList();
        using var manifest = image.OpenBlob(image.ManifestDescriptor.Digest);
        using var json = new MemoryStream();
        manifest.CopyTo(json);
        var result = new ImagePusher(options, context.Log)
            .PushAsync(settings.Registry, settings.Repository, settings.Tags, json.ToArray(), image.ManifestDescriptor.MediaType, blobs)
            .GetAwaiter().GetResult();
        PushedDigest = result.Digest;
    }

    private bool SameRegistry(string registry) => string.Equals(registry, settings.Registry, StringComparison.OrdinalIgnoreCase);
}
