using System.Text.Json;

namespace ContainerSdk.Core.Oci;

/// <summary>An image manifest: the config and the layers, in order. Parses Docker v2 manifests too (same shape).</summary>
internal sealed record Manifest
{
    public string MediaType { get; init; } = MediaTypes.ImageManifest;
    public required Descriptor Config { get; init; }
    public required IReadOnlyList<Descriptor> Layers { get; init; }
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    public byte[] ToJson() => OciJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("schemaVersion", 2);
        w.WriteString("mediaType", MediaType);
        w.WritePropertyName("config");
        OciJson.WriteDescriptor(w, Config);
        OciJson.WriteDescriptors(w, "layers", Layers);
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
        };
    }
}
