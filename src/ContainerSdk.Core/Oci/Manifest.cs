using System.Text.Json;

namespace ContainerSdk.Core.Oci;

/// <summary>An image manifest: the config and the layers, in order. Parses Docker v2 manifests too (same shape).</summary>
internal sealed record Manifest
{
    public string MediaType { get; init; } = MediaTypes.ImageManifest;
    public required Descriptor Config { get; init; }
    public required IReadOnlyList<Descriptor> Layers { get; init; }
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>What an artifact manifest holds (OCI image spec 1.1: an SBOM, a signature); null for an image.</summary>
    public string? ArtifactType { get; init; }

    /// <summary>The manifest this one is about (OCI image spec 1.1 <c>subject</c>): what makes it a referrer of that manifest.</summary>
    public Descriptor? Subject { get; init; }

    public byte[] ToJson() => OciJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("schemaVersion", 2);
        w.WriteString("mediaType", MediaType);
        if (ArtifactType is not null) w.WriteString("artifactType", ArtifactType);
        w.WritePropertyName("config");
        OciJson.WriteDescriptor(w, Config);
        OciJson.WriteDescriptors(w, "layers", Layers);
        if (Subject is not null)
        {
            w.WritePropertyName("subject");
            OciJson.WriteDescriptor(w, Subject);
        }
        OciJson.WriteStringMap(w, "annotations", Annotations);
        w.WriteEndObject();
    });

    public static Manifest Parse(ReadOnlySpan<byte> json)
    {
        const string what = "The image manifest";
        using var doc = OciJson.ParseDocument(json, what);
        var root = doc.RootElement;
        OciJson.RequireSchemaVersion2(root, what);
        if (OciJson.Property(root, "config") is not { ValueKind: JsonValueKind.Object } config)
            throw new FormatException($"{what} has no \"config\" descriptor.");
        return new Manifest
        {
            MediaType = OciJson.String(root, "mediaType") ?? MediaTypes.ImageManifest,
            Config = OciJson.ReadDescriptor(config, what + " config"),
            Layers = OciJson.ReadDescriptors(root, "layers", what),
            Annotations = OciJson.StringMap(root, "annotations"),
            ArtifactType = OciJson.String(root, "artifactType"),
            Subject = OciJson.Property(root, "subject") is { ValueKind: JsonValueKind.Object } subject ? OciJson.ReadDescriptor(subject, what + " subject") : null,
        };
    }
}
