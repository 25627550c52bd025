using ContainerSdk.Core.Images;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Outputs;

/// <summary>
/// The image a build made, with its names: an <see cref="IImage"/> (the model every source yields and every writer
/// takes), the repository and the index that names it (one entry per tag). Made by <see cref="ImageComposer"/> from
/// the built layers, or read back from the layout a build wrote (<see cref="FromLayout"/>, through the one layout
/// reader) by a later step that writes the same image somewhere else.
/// </summary>
internal sealed class BuiltImage : IImage
{
    private readonly IImage _image;

    /// <param name="index">The image's entries, one per tag (the referrers' entries are added from <paramref name="referrers"/>).</param>
    /// <param name="referrers">Artifacts about the image (the SBOM, the ACL dump), or none.</param>
    public BuiltImage(string repository, ImageIndex index, IImage image, IReadOnlyList<ImageReferrer>? referrers = null)
    {
        Referrers = referrers ?? Array.Empty<ImageReferrer>();
        _tagEntries = index.Manifests;
        if (index.Manifests.Count == 0) throw new InvalidDataException("An image index must list the image.");
        if (image.ManifestDescriptor is not { } descriptor || image.ManifestJson is not { } json)
            throw new ArgumentException("A built image has a manifest.", nameof(image));
        if (index.Manifests[0].Digest != descriptor.Digest)
            throw new ArgumentException($"The index names {index.Manifests[0].Digest}, not the image's manifest {descriptor.Digest}.", nameof(index));
        if (Referrers.FirstOrDefault(r => r.Manifest.Subject?.Digest != descriptor.Digest) is { } stray)
            throw new ArgumentException($"The artifact {stray.ManifestDescriptor.Digest} is not about the image's manifest {descriptor.Digest}.", nameof(referrers));
        // The referrers follow the tags, untagged: a tool that reads the image by its tag sees what it saw before.
        (Repository, _image, ManifestDescriptor, ManifestJson) = (repository, image, descriptor, json);
        Index = Referrers.Count == 0 ? index : index with { Manifests = index.Manifests.Concat(Referrers.Select(r => r.ManifestDescriptor)).ToArray() };
        Manifest = Manifest.Parse(json);
    }

    private readonly IReadOnlyList<Descriptor> _tagEntries;

    /// <summary>The artifacts whose subject is this image (OCI 1.1 referrers), in the order the index lists them.</summary>
    public IReadOnlyList<ImageReferrer> Referrers { get; }

    /// <summary>The same image with <paramref name="referrers"/> attached (replacing any it had).</summary>
    public BuiltImage WithReferrers(IReadOnlyList<ImageReferrer> referrers) =>
        new(Repository, Index with { Manifests = _tagEntries }, _image, referrers);

    public string Repository { get; }

    /// <summary>As the layout holds it: one entry per tag, its ref.name the bare tag, each pointing at <see cref="Manifest"/>; then one per referrer, untagged.</summary>
    public ImageIndex Index { get; }

    public Manifest Manifest { get; }
    public Descriptor ManifestDescriptor { get; }
    public byte[] ManifestJson { get; }
    public byte[] ConfigJson => _image.ConfigJson;
    public ImageConfig Config => _image.Config;
    public IReadOnlyList<ImageLayer> Layers => _image.Layers;

    public string? BlobFile(int layer) => _image.BlobFile(layer);
    public Stream OpenBlob(int layer) => _image.OpenBlob(layer);

    /// <summary>The tags (org.opencontainers.image.ref.name), in index order.</summary>
    public IReadOnlyList<string> Tags => Index.Manifests
        .Select(m => m.Annotations is { } a && a.TryGetValue(ImageIndex.RefNameAnnotation, out var t) ? t : null)
        .OfType<string>().Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>Every blob (manifest, config, layers, and each referrer's manifest, config and file), each once, in digest order.</summary>
    public IReadOnlyList<Descriptor> Blobs =>
        new[] { ManifestDescriptor, Manifest.Config }.Concat(Layers.Select(l => l.Descriptor))
            .Concat(Referrers.SelectMany(r => new[] { r.ManifestDescriptor, r.Manifest.Config, r.File }))
            .DistinctBy(d => d.Digest.Hex).OrderBy(d => d.Digest.Hex, StringComparer.Ordinal).ToArray();

    /// <summary>The layer blob with <paramref name="digest"/> as a file of its own, or null (a document, or a blob read as a stream).</summary>
    public string? BlobFile(Digest digest) => LayerOf(digest) is int layer ? BlobFile(layer) : null;

    /// <summary>Any blob of the image by its digest: the manifest, the config or a layer.</summary>
    public Stream OpenBlob(Digest digest) =>
        digest == ManifestDescriptor.Digest ? new MemoryStream(ManifestJson, writable: false)
        : digest == Manifest.Config.Digest ? new MemoryStream(ConfigJson, writable: false)
        : LayerOf(digest) is int layer ? OpenBlob(layer)
        : Referrers.Select(r => r.OpenBlob(digest)).FirstOrDefault(s => s is not null) is { } attached ? attached
        : throw new KeyNotFoundException($"The image has no blob {digest}.");

    private int? LayerOf(Digest digest)
    {
        for (int i = 0; i < Layers.Count; i++)
            if (Layers[i].Descriptor.Digest == digest) return i;
        return null;
    }

    /// <summary>The same image under <paramref name="tags"/> (an index of one entry per tag, as the image step writes it).</summary>
    public BuiltImage WithTags(IReadOnlyList<string> tags)
    {
        if (tags.SequenceEqual(Tags, StringComparer.Ordinal)) return this;
        var entry = Index.Manifests[0];
        var index = Index with
        {
            Manifests = tags.Select(tag => entry with
            {
                Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal)
                {
                    [ImageIndex.RefNameAnnotation] = tag,
                    [Annotations.ContainerdName] = $"{Repository}:{tag}",
                },
            }).ToArray(),
        };
        return new BuiltImage(Repository, index, _image, Referrers);
    }

    /// <summary>
    /// The image a build wrote to the OCI layout at <paramref name="layoutPath"/> (its first manifest, with every tag), read
    /// by the one layout reader; with <paramref name="referrers"/>, the artifacts the layout lists about it too (what
    /// publishing pushes beside it; an archive leaves them out: <c>podman load</c> takes one image per archive).
    /// </summary>
    public static BuiltImage FromLayout(string layoutPath, string repository, bool referrers = false)
    {
        var layout = OciLayoutReader.OpenFolder(layoutPath, layoutPath);
        var index = layout.ReadIndex();
        var images = index.Manifests.Where(m => m.ArtifactType is null).ToArray();
        if (images.Length == 0) throw new InvalidDataException($"{layoutPath}/index.json lists no image.");
        var image = layout.ReadImage(images[0], name: null);
        var attached = new List<ImageReferrer>();
        if (referrers)
        {
            foreach (var entry in index.Manifests.Where(m => m.ArtifactType is not null && m.MediaType == MediaTypes.ImageManifest))
            {
                var json = layout.Files.ReadDocument(ImageFiles.BlobPath(entry.Digest));
                if (Digest.Compute(json) != entry.Digest) throw new InvalidDataException($"{layoutPath}: blob {entry.Digest} does not have that digest; the layout is damaged.");
                // The file is the layout's blob of the artifact's one layer, opened (by the layout's own files) when it is sent.
                ImageReferrer? referrer = null;
                referrer = ImageReferrer.Read(json, () => layout.Files.Open(ImageFiles.BlobPath(referrer!.File.Digest)));
                if (referrer.Manifest.Subject?.Digest == images[0].Digest) attached.Add(referrer);
            }
        }
        return new BuiltImage(repository, index with { Manifests = images }, image, attached);
    }
}
