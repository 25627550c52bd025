using System.Globalization;
using System.Text.Json;

namespace ContainerSdk.Core.Oci;

/// <summary>
/// The shared pieces of the hand-written OCI JSON: written field by field (never by a reflection serializer) so that
/// key order and omissions are fixed and the bytes, hence the digests, never change for the same inputs.
/// </summary>
internal static class OciJson
{
    // No indentation and the relaxed encoder: "+" and "<" are valid JSON as they are; escaping them would
    // still parse but would differ from what every other OCI tool writes.
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    public static byte[] Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            body(writer);
        return buffer.ToArray();
    }

    /// <summary>RFC 3339 UTC, whole seconds, as Docker and buildah write a SOURCE_DATE_EPOCH time.</summary>
    public static string FormatTime(long epochSeconds)
        => DateTimeOffset.FromUnixTimeSeconds(epochSeconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static void WriteStringMap(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, string>? map)
    {
        if (map is null || map.Count == 0) return;
        w.WriteStartObject(name);
        foreach (var (k, v) in map.OrderBy(p => p.Key, StringComparer.Ordinal)) w.WriteString(k, v);
        w.WriteEndObject();
    }

    /// <summary>The OCI "set" encoding (ExposedPorts, Volumes): keys mapping to empty objects.</summary>
    public static void WriteSet(Utf8JsonWriter w, string name, IReadOnlyCollection<string>? set)
    {
        if (set is null || set.Count == 0) return;
        w.WriteStartObject(name);
        foreach (var k in set.Distinct(StringComparer.Ordinal).OrderBy(k => k, StringComparer.Ordinal))
        {
            w.WriteStartObject(k);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    public static void WriteStringArray(Utf8JsonWriter w, string name, IReadOnlyList<string>? items)
    {
        if (items is null || items.Count == 0) return;
        w.WriteStartArray(name);
        foreach (var item in items) w.WriteStringValue(item);
        w.WriteEndArray();
    }

    public static void WriteDescriptor(Utf8JsonWriter w, Descriptor d)
    {
        w.WriteStartObject();
        w.WriteString("mediaType", d.MediaType);
        if (d.ArtifactType is not null) w.WriteString("artifactType", d.ArtifactType);
        w.WriteString("digest", d.Digest.ToString());
        w.WriteNumber("size", d.Size);
        WriteStringMap(w, "annotations", d.Annotations);
        if (d.Platform is { } p)
        {
            w.WriteStartObject("platform");
            w.WriteString("architecture", p.Architecture);
            w.WriteString("os", p.Os);
            if (p.Variant is not null) w.WriteString("variant", p.Variant);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    public static void WriteDescriptors(Utf8JsonWriter w, string name, IReadOnlyList<Descriptor> items)
    {
        w.WriteStartArray(name);
        foreach (var d in items) WriteDescriptor(w, d);
        w.WriteEndArray();
    }

    // ---- reading (existing images used as bases) ----

    public static JsonDocument ParseDocument(ReadOnlySpan<byte> json, string what)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            return JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{what} is not valid JSON: {e.Message}", e);
        }
    }

    public static JsonElement? Property(JsonElement obj, string name)
        => obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public static string? String(JsonElement obj, string name)
        => Property(obj, name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    public static string RequiredString(JsonElement obj, string name, string what)
        => String(obj, name) ?? throw new FormatException($"{what} has no string \"{name}\".");

    public static IReadOnlyList<string>? StringArray(JsonElement obj, string name)
        => Property(obj, name) is { ValueKind: JsonValueKind.Array } v ? v.EnumerateArray().Select(e => e.GetString() ?? "").ToArray() : null;

    public static IReadOnlyDictionary<string, string>? StringMap(JsonElement obj, string name)
    {
        if (Property(obj, name) is not { ValueKind: JsonValueKind.Object } v) return null;
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in v.EnumerateObject()) map[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
        return map;
    }

    public static IReadOnlyList<string>? SetKeys(JsonElement obj, string name)
        => Property(obj, name) is { ValueKind: JsonValueKind.Object } v
            ? v.EnumerateObject().Select(p => p.Name).OrderBy(k => k, StringComparer.Ordinal).ToArray()
            : null;

    public static Descriptor ReadDescriptor(JsonElement e, string what)
    {
        var mediaType = RequiredString(e, "mediaType", what);
        var digestText = RequiredString(e, "digest", what);
        if (!Digest.TryParse(digestText, out var digest)) throw new FormatException($"{what} has digest '{digestText}', not sha256:<64 hex>.");
        if (Property(e, "size") is not { ValueKind: JsonValueKind.Number } size || !size.TryGetInt64(out var length) || length < 0)
            throw new FormatException($"{what} has no valid \"size\".");
        Platform? platform = null;
        if (Property(e, "platform") is { ValueKind: JsonValueKind.Object } p)
            platform = new Platform(RequiredString(p, "os", what + " platform"), RequiredString(p, "architecture", what + " platform"), String(p, "variant"));
        return new Descriptor(mediaType, digest, length) { Annotations = StringMap(e, "annotations"), Platform = platform, ArtifactType = String(e, "artifactType") };
    }

    public static IReadOnlyList<Descriptor> ReadDescriptors(JsonElement obj, string name, string what)
        => Property(obj, name) is { ValueKind: JsonValueKind.Array } v
            ? v.EnumerateArray().Select((e, i) => ReadDescriptor(e, $"{what} {name}[{i}]")).ToArray()
            : Array.Empty<Descriptor>();

    public static void RequireSchemaVersion2(JsonElement root, string what)
    {
        if (Property(root, "schemaVersion") is not { ValueKind: JsonValueKind.Number } v || !v.TryGetInt32(out var n) || n != 2)
            throw new FormatException($"{what} does not have schemaVersion 2.");
    }
}
