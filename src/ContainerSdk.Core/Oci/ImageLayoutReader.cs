namespace ContainerSdk.Core.Oci;

/// <summary>Reads back the image a build wrote to its layout, for the single-file writers.</summary>
internal sealed class ImageLayoutReader
{
    public ImageLayoutReader(string layoutPath)
    {
        LayoutPath = Path.GetFullPath(layoutPath);
        IndexJson = File.ReadAllBytes(Path.Combine(LayoutPath, "index.json"));
        Index = ImageIndex.Parse(IndexJson);
        if (Index.Manifests.Count == 0) throw new InvalidDataException($"{LayoutPath}/index.json lists no image.");
        ManifestDescriptor = Index.Manifests[0];
        Manifest = Manifest.Parse(File.ReadAllBytes(BlobPath(ManifestDescriptor.Digest)));
    }

    public string LayoutPath { get; }
    public byte[] IndexJson { get; }
    public ImageIndex Index { get; }
    public Descriptor ManifestDescriptor { get; }
    public Manifest Manifest { get; }

    /// <summary>The tags index.json names (org.opencontainers.image.ref.name), in order.</summary>
    public IReadOnlyList<string> Tags => Index.Manifests
        .Select(m => m.Annotations is { } a && a.TryGetValue(ImageIndex.RefNameAnnotation, out var t) ? t : null)
        .OfType<string>().Distinct(StringComparer.Ordinal).ToArray();

    public string BlobPath(Digest digest) => Path.Combine(LayoutPath, "blobs", digest.Algorithm, digest.Hex);

    /// <summary>Every blob index.json reaches (manifests, configs, layers), each once, in a stable order.</summary>
    public IReadOnlyList<Descriptor> ReachableBlobs()
    {
        var seen = new SortedDictionary<string, Descriptor>(StringComparer.Ordinal);
        void Mark(Descriptor d)
        {
            if (!seen.TryAdd(d.Digest.Hex, d)) return;
            if (d.MediaType is MediaTypes.ImageManifest or MediaTypes.DockerManifest)
            {
                var m = Manifest.Parse(File.ReadAllBytes(BlobPath(d.Digest)));
                Mark(m.Config);
                foreach (var l in m.Layers) Mark(l);
            }
            else if (d.MediaType is MediaTypes.ImageIndex or MediaTypes.DockerManifestList)
                foreach (var m in ImageIndex.Parse(File.ReadAllBytes(BlobPath(d.Digest))).Manifests) Mark(m);
        }
        foreach (var m in Index.Manifests) Mark(m);
        return seen.Values.ToArray();
    }
}
