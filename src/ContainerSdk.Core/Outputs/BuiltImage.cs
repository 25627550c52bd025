using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Outputs;

/// <summary>
/// One image as every writer reads it: its index (one entry per tag), manifest, config and layer blobs. Made by
/// <see cref="ImageComposer"/> from the built layers, or read back from the layout a build wrote
/// (<see cref="FromLayout"/>) by a later step that writes the same image somewhere else.
/// </summary>
public sealed class BuiltImage
{
    private readonly IReadOnlyDictionary<string, byte[]> _documents;
    private readonly IReadOnlyDictionary<string, string> _files;

    public BuiltImage(string repository, ImageIndex index, Manifest manifest, IReadOnlyDictionary<string, byte[]> documents, IReadOnlyDictionary<string, string> files)
    {
        if (index.Manifests.Count == 0) throw new InvalidDataException("An image index must list the image.");
        (Repository, Index, Manifest, _documents, _files) = (repository, index, manifest, documents, files);
    }

    public string Repository { get; }

    /// <summary>As the layout holds it: one entry per tag, its ref.name the bare tag, each pointing at <see cref="Manifest"/>.</summary>
    public ImageIndex Index { get; }

    public Manifest Manifest { get; }
    public Descriptor ManifestDescriptor => Index.Manifests[0];

    /// <summary>The tags (org.opencontainers.image.ref.name), in index order.</summary>
    public IReadOnlyList<string> Tags => Index.Manifests
        .Select(m => m.Annotations is { } a && a.TryGetValue(ImageIndex.RefNameAnnotation, out var t) ? t : null)
        .OfType<string>().Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>Every blob (manifest, config, layers), each once, in digest order.</summary>
    public IReadOnlyList<Descriptor> Blobs =>
        new[] { ManifestDescriptor, Manifest.Config }.Concat(Manifest.Layers)
            .DistinctBy(d => d.Digest.Hex).OrderBy(d => d.Digest.Hex, StringComparer.Ordinal).ToArray();

    /// <summary>The blob as a file of its own (a layer), or null when it is a document held in memory.</summary>
    public string? BlobFile(Digest digest) => _files.TryGetValue(digest.Hex, out var path) ? path : null;

    public Stream OpenBlob(Digest digest) =>
        _documents.TryGetValue(digest.Hex, out var bytes) ? new MemoryStream(bytes, writable: false)
        : _files.TryGetValue(digest.Hex, out var path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan)
        : throw new KeyNotFoundException($"The image has no blob {digest}.");

    /// <summary>The image a build wrote to the OCI layout at <paramref name="layoutPath"/> (its first manifest, with every tag).</summary>
    public static BuiltImage FromLayout(string layoutPath, string repository)
    {
        string Blob(Digest d) => Path.Combine(layoutPath, "blobs", d.Algorithm, d.Hex);
        var index = ImageIndex.Parse(File.ReadAllBytes(Path.Combine(layoutPath, "index.json")));
        if (index.Manifests.Count == 0) throw new InvalidDataException($"{layoutPath}/index.json lists no image.");
        var manifestDigest = index.Manifests[0].Digest;
        var manifestJson = File.ReadAllBytes(Blob(manifestDigest));
        var manifest = Manifest.Parse(manifestJson);
        var documents = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [manifestDigest.Hex] = manifestJson,
            [manifest.Config.Digest.Hex] = File.ReadAllBytes(Blob(manifest.Config.Digest)),
        };
        var files = manifest.Layers.DistinctBy(l => l.Digest.Hex).ToDictionary(l => l.Digest.Hex, l => Blob(l.Digest), StringComparer.Ordinal);
        return new BuiltImage(repository, index, manifest, documents, files);
    }
}
