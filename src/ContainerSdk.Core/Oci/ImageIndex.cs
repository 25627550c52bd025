using System.Text.Json;

namespace ContainerSdk.Core.Oci;

/// <summary>An image index (index.json of a layout, or a multi-platform list): descriptors of manifests.</summary>
internal sealed record ImageIndex
{
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    public string MediaType { get; init; } = MediaTypes.ImageIndex;
    public required IReadOnlyList<Descriptor> Manifests { get; init; }
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    public byte[] ToJson() => OciJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("schemaVersion", 2);
        w.WriteString("mediaType", MediaType);
        OciJson.WriteDescriptors(w, "manifests", Manifests);
        OciJson.WriteStringMap(w, "annotations", Annotations);
        w.WriteEndObject();
    });

    public static ImageIndex Parse(ReadOnlySpan<byte> json)
    {
        const string what = "The image index";
        using var doc = OciJson.ParseDocument(json, what);
        var root = doc.RootElement;
        OciJson.RequireSchemaVersion2(root, what);
        return new ImageIndex
        {
            MediaType = OciJson.String(root, "mediaType") ?? MediaTypes.ImageIndex,
            Manifests = OciJson.ReadDescriptors(root, "manifests", what),
            Annotations = OciJson.StringMap(root, "annotations"),
        };
    }
}
