namespace ContainerSdk.Core.Oci;

/// <summary>
/// An artifact about an image (OCI image spec 1.1, "artifacts guidance"): a manifest with an <c>artifactType</c>, the
/// empty descriptor as its config, one layer (the file) and the image's manifest as its <c>subject</c>. Registries
/// with the referrers API list it under the subject; the others through the referrers tag schema
/// (<see cref="FallbackTag"/>). ORAS, cosign and notation attach SBOMs and signatures the same way.
/// </summary>
internal static class ArtifactManifest
{
    /// <summary>The empty JSON object: the content of <see cref="EmptyConfig"/>.</summary>
    public static readonly byte[] EmptyJson = "{}"u8.ToArray();

    /// <summary>The config of an artifact that has none: <c>{}</c> under <see cref="MediaTypes.Empty"/>.</summary>
    public static readonly Descriptor EmptyConfig = new(MediaTypes.Empty, Digest.Compute(EmptyJson), EmptyJson.Length);

    /// <summary>The layer's annotation naming the file (what <c>oras pull</c> names the file it writes).</summary>
    public const string TitleAnnotation = "org.opencontainers.image.title";

    /// <summary>The manifest of <paramref name="file"/> about <paramref name="subject"/>, created at <paramref name="created"/> (RFC 3339).</summary>
    /// <param name="title">The file's name, as a user would save it (<see cref="TitleAnnotation"/>).</param>
    public static Manifest For(Descriptor subject, string artifactType, Descriptor file, string title, string created) => new()
    {
        ArtifactType = artifactType,
        Config = EmptyConfig,
        Layers = new[]
        {
            file with { Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal) { [TitleAnnotation] = title }, Platform = null, ArtifactType = null },
        },
        Subject = new Descriptor(subject.MediaType, subject.Digest, subject.Size),
        Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal) { [Annotations.Created] = created },
    };

    /// <summary>
    /// The referrers tag schema's tag for <paramref name="subject"/> (distribution spec 1.1): <c>sha256-&lt;hex&gt;</c>, an
    /// image index listing the referrers, kept where a registry has no referrers API.
    /// </summary>
    public static string FallbackTag(Digest subject) => $"{subject.Algorithm}-{subject.Hex}";

    /// <summary>How an index (index.json, a referrers list) names the artifact manifest <paramref name="manifestJson"/>.</summary>
    public static Descriptor DescriptorOf(Manifest manifest, byte[] manifestJson) =>
        new(MediaTypes.ImageManifest, Digest.Compute(manifestJson), manifestJson.Length)
        {
            ArtifactType = manifest.ArtifactType,
            // Shared, not copied: both are read-only, and the JSON writer orders the keys itself.
            Annotations = manifest.Annotations is { Count: > 0 } a ? a : null,
        };
}
