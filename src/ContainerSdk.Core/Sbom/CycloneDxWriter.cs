using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ContainerSdk.Core.Sbom;

/// <summary>
/// The CycloneDX 1.6 JSON document (cyclonedx.org/docs/1.6/json), written field by field so that the same inputs give
/// the same bytes: the timestamp is ContainerSourceDateEpoch, and the serial number a name-based UUID (RFC 9562
/// version 5) of the SHA-256 of the document written without it, so it changes exactly when the content does.
/// </summary>
internal static class CycloneDxWriter
{
    public const string SpecVersion = "1.6";

    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>RFC 9562's URL namespace: the serial number's name is a URN of the content's hash.</summary>
    private static readonly Guid UrlNamespace = new("6ba7b811-9dad-11d1-80b4-00c04fd430c8");

    public static byte[] Write(SbomImage image, IReadOnlyList<SbomComponent> components, string toolVersion)
    {
        var body = Write(image, components, toolVersion, serialNumber: null);
        var serial = NameBasedUuid($"urn:containersdk:sbom:sha256:{Convert.ToHexString(SHA256.HashData(body)).ToLowerInvariant()}");
        return Write(image, components, toolVersion, $"urn:uuid:{serial}");
    }

    private static byte[] Write(SbomImage image, IReadOnlyList<SbomComponent> components, string toolVersion, string? serialNumber)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartObject();
            w.WriteString("$schema", "http://cyclonedx.org/schema/bom-1.6.schema.json");
            w.WriteString("bomFormat", "CycloneDX");
            w.WriteString("specVersion", SpecVersion);
            if (serialNumber is not null) w.WriteString("serialNumber", serialNumber);
            w.WriteNumber("version", 1);

            w.WriteStartObject("metadata");
            w.WriteString("timestamp", Oci.OciJson.FormatTime(image.Epoch));
            w.WriteStartObject("tools");
            w.WriteStartArray("components");
            w.WriteStartObject();
            w.WriteString("type", "application");
            w.WriteString("name", "ContainerSdk");
            w.WriteString("version", toolVersion);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            WriteComponent(w, ImageComponent(image), "component");
            w.WriteEndObject();

            w.WriteStartArray("components");
            foreach (var component in components) WriteComponent(w, component);
            w.WriteEndArray();

            // Every component has its entry (an empty one says "depends on nothing known"), the image first.
            w.WriteStartArray("dependencies");
            WriteDependency(w, ImageRef, components.Select(c => c.Ref).ToArray());
            foreach (var component in components) WriteDependency(w, component.Ref, component.DependsOn);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>The metadata component's bom-ref.</summary>
    public const string ImageRef = "image";

    /// <summary>The image: its repository, first tag as the version, manifest digest as the hash and the purl's version, every tag as a property.</summary>
    private static SbomComponent ImageComponent(SbomImage image)
    {
        var properties = new List<KeyValuePair<string, string>> { new("containersdk:manifestDigest", image.ManifestDigest.ToString()) };
        properties.AddRange(image.Tags.Select(t => new KeyValuePair<string, string>("containersdk:tag", t)));
        properties.Add(new("containersdk:platform", image.Platform.ToString()));
        return new SbomComponent
        {
            Ref = ImageRef, Type = "container", Name = image.Repository, Version = image.Tags.FirstOrDefault(),
            Purl = PackageUrl.Oci(image.Repository, image.ManifestDigest, image.Tags.FirstOrDefault(), image.Platform.Architecture),
            Sha256 = new[] { image.ManifestDigest.Hex }, Properties = properties,
        };
    }

    private static void WriteComponent(Utf8JsonWriter w, SbomComponent c, string? propertyName = null)
    {
        if (propertyName is null) w.WriteStartObject();
        else w.WriteStartObject(propertyName);
        w.WriteString("type", c.Type);
        w.WriteString("bom-ref", c.Ref);
        w.WriteString("name", c.Name);
        if (c.Version is not null) w.WriteString("version", c.Version);
        if (c.Description is not null) w.WriteString("description", c.Description);
        if (c.Sha256.Count > 0)
        {
            w.WriteStartArray("hashes");
            foreach (var hex in c.Sha256.Distinct(StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("alg", "SHA-256");
                w.WriteString("content", hex);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (c.License is { } license)
        {
            w.WriteStartArray("licenses");
            w.WriteStartObject();
            if (license.Form == LicenseForm.Expression) w.WriteString("expression", license.Text);
            else
            {
                w.WriteStartObject("license");
                w.WriteString(license.Form == LicenseForm.Id ? "id" : "name", license.Text);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndArray();
        }
        if (c.Purl is not null) w.WriteString("purl", c.Purl);
        if (c.Homepage is not null)
        {
            w.WriteStartArray("externalReferences");
            w.WriteStartObject();
            w.WriteString("type", "website");
            w.WriteString("url", c.Homepage);
            w.WriteEndObject();
            w.WriteEndArray();
        }
        if (c.Properties.Count > 0)
        {
            w.WriteStartArray("properties");
            foreach (var (name, value) in c.Properties)
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteString("value", value);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void WriteDependency(Utf8JsonWriter w, string reference, IReadOnlyList<string> dependsOn)
    {
        w.WriteStartObject();
        w.WriteString("ref", reference);
        if (dependsOn.Count > 0)
        {
            w.WriteStartArray("dependsOn");
            foreach (var d in dependsOn.Distinct(StringComparer.Ordinal)) w.WriteStringValue(d);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>RFC 9562 version 5: SHA-1 of the namespace and the name, version and variant bits set.</summary>
    internal static Guid NameBasedUuid(string name)
    {
        Span<byte> ns = stackalloc byte[16];
        UrlNamespace.TryWriteBytes(ns, bigEndian: true, out _);
        var input = new byte[16 + Encoding.UTF8.GetByteCount(name)];
        ns.CopyTo(input);
        Encoding.UTF8.GetBytes(name, input.AsSpan(16));
        var hash = SHA1.HashData(input);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
