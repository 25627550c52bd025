using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Outputs;

/// <summary>
/// A file that travels with the image as an OCI 1.1 artifact whose <c>subject</c> is the image's manifest (the SBOM,
/// the bundle's ACL dump): its manifest (<see cref="ArtifactManifest"/>) and the file, its one layer. The layout lists
/// it in index.json without a tag (<c>ref.name</c>), so tools that read the image by its tag see what they saw before;
/// publishing pushes it to the image's repository (<c>Registry.ReferrerPusher</c>).
/// </summary>
internal sealed record ImageReferrer(Descriptor ManifestDescriptor, byte[] ManifestJson, Manifest Manifest, Func<Stream> OpenFile)
{
    /// <summary>The file's descriptor (the manifest's one layer).</summary>
    public Descriptor File => Manifest.Layers[0];

    public string ArtifactType => Manifest.ArtifactType ?? "";

    /// <summary>A file held in memory (the SBOM, a few KiB).</summary>
    public static ImageReferrer FromBytes(Descriptor subject, string artifactType, string mediaType, string title, byte[] content, string created) =>
        Make(subject, artifactType, new Descriptor(mediaType, Digest.Compute(content), content.Length), title, created,
            () => new MemoryStream(content, writable: false));

    /// <summary>A file on disk (the ACL dump, as large as the tree's list of ACLs): hashed as it is read, and read again when written.</summary>
    public static ImageReferrer FromFile(Descriptor subject, string artifactType, string mediaType, string title, string path, string created)
    {
        Stream Open() => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        Descriptor file;
        using (var stream = Open()) file = new Descriptor(mediaType, Digest.Compute(stream), stream.Length);
        return Make(subject, artifactType, file, title, created, Open);
    }

    /// <summary>One that a layout holds already (<see cref="BuiltImage.FromLayout"/>): its manifest's bytes as they are there.</summary>
    public static ImageReferrer Read(byte[] manifestJson, Func<Stream> openFile)
    {
        var manifest = Manifest.Parse(manifestJson);
        if (manifest.Layers.Count != 1) throw new InvalidDataException("An attached artifact's manifest has one layer, its file.");
        return new ImageReferrer(ArtifactManifest.DescriptorOf(manifest, manifestJson), manifestJson, manifest, openFile);
    }

    private static ImageReferrer Make(Descriptor subject, string artifactType, Descriptor file, string title, string created, Func<Stream> open)
    {
        var manifest = ArtifactManifest.For(subject, artifactType, file, title, created);
        var json = manifest.ToJson();
        return new ImageReferrer(ArtifactManifest.DescriptorOf(manifest, json), json, manifest, open);
    }

    /// <summary>Any blob of the artifact: its manifest, the empty config, the file; null when the digest is none of them.</summary>
    public Stream? OpenBlob(Digest digest) =>
        digest == ManifestDescriptor.Digest ? new MemoryStream(ManifestJson, writable: false)
        : digest == ArtifactManifest.EmptyConfig.Digest ? new MemoryStream(ArtifactManifest.EmptyJson, writable: false)
        : digest == File.Digest ? OpenFile()
        : null;
}
