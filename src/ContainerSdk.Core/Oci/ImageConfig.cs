using System.Text.Json;

namespace ContainerSdk.Core.Oci;

/// <summary>
/// The OCI image configuration (application/vnd.oci.image.config.v1+json): what a runtime needs to run the image,
/// the layers' diff_ids and their history. <see cref="ToJson"/> gives the exact bytes the config digest is taken of.
/// </summary>
internal sealed record ImageConfig
{
    public required string Architecture { get; init; }
    public required string Os { get; init; }
    public string? Variant { get; init; }

    /// <summary>RFC 3339 text, kept as text so that a base image's nanosecond time survives a round trip.</summary>
    public string? Created { get; init; }

    public RuntimeConfig Config { get; init; } = new();
    public IReadOnlyList<Digest> DiffIds { get; init; } = Array.Empty<Digest>();
    public IReadOnlyList<HistoryEntry> History { get; init; } = Array.Empty<HistoryEntry>();

    public byte[] ToJson() => OciJson.Write(w =>
    {
        w.WriteStartObject();
        if (Created is not null) w.WriteString("created", Created);
        w.WriteString("architecture", Architecture);
        if (Variant is not null) w.WriteString("variant", Variant);
        w.WriteString("os", Os);
        Config.Write(w, "config");
        w.WriteStartObject("rootfs");
        w.WriteString("type", "layers");
        w.WriteStartArray("diff_ids");
        foreach (var d in DiffIds) w.WriteStringValue(d.ToString());
        w.WriteEndArray();
        w.WriteEndObject();
        if (History.Count > 0)
        {
            w.WriteStartArray("history");
            foreach (var h in History) h.Write(w);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    });

    /// <summary>Reads a config written by any OCI or Docker tool; fields this SDK does not model are dropped.</summary>
    public static ImageConfig Parse(ReadOnlySpan<byte> json)
    {
        using var doc = OciJson.ParseDocument(json, "The image config");
        var root = doc.RootElement;
        const string what = "The image config";
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException($"{what} is not a JSON object.");
        var diffIds = new List<Digest>();
        if (OciJson.Property(root, "rootfs") is { } rootfs && OciJson.Property(rootfs, "diff_ids") is { ValueKind: JsonValueKind.Array } ids)
            foreach (var id in ids.EnumerateArray())
            {
                if (!Digest.TryParse(id.GetString(), out var digest)) throw new FormatException($"{what} has diff_id '{id}', not sha256:<64 hex>.");
                diffIds.Add(digest);
            }
        var history = OciJson.Property(root, "history") is { ValueKind: JsonValueKind.Array } hs
            ? hs.EnumerateArray().Select(HistoryEntry.Read).ToArray()
            : Array.Empty<HistoryEntry>();
        return new ImageConfig
        {
            Architecture = OciJson.RequiredString(root, "architecture", what),
            Os = OciJson.RequiredString(root, "os", what),
            Variant = OciJson.String(root, "variant"),
            Created = OciJson.String(root, "created"),
            Config = OciJson.Property(root, "config") is { ValueKind: JsonValueKind.Object } c ? RuntimeConfig.Read(c) : new RuntimeConfig(),
            DiffIds = diffIds,
            History = history,
        };
    }
}

/// <summary>The config's "config" object: how to run the image. Null or empty members are omitted from the JSON.</summary>
internal sealed record RuntimeConfig
{
    public string? User { get; init; }
    public IReadOnlyList<string> ExposedPorts { get; init; } = Array.Empty<string>();

    /// <summary>"NAME=value" in order; order matters to a runtime only for duplicate names, which the composer prevents.</summary>
    public IReadOnlyList<string> Env { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public IReadOnlyList<string>? Cmd { get; init; }
    public IReadOnlyList<string> Volumes { get; init; } = Array.Empty<string>();
    public string? WorkingDir { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public string? StopSignal { get; init; }

    internal void Write(Utf8JsonWriter w, string name)
    {
        w.WriteStartObject(name);
        if (!string.IsNullOrEmpty(User)) w.WriteString("User", User);
        OciJson.WriteSet(w, "ExposedPorts", ExposedPorts);
        OciJson.WriteStringArray(w, "Env", Env);
        OciJson.WriteStringArray(w, "Entrypoint", Entrypoint);
        OciJson.WriteStringArray(w, "Cmd", Cmd);
        OciJson.WriteSet(w, "Volumes", Volumes);
        if (!string.IsNullOrEmpty(WorkingDir)) w.WriteString("WorkingDir", WorkingDir);
        OciJson.WriteStringMap(w, "Labels", Labels);
        if (!string.IsNullOrEmpty(StopSignal)) w.WriteString("StopSignal", StopSignal);
        w.WriteEndObject();
    }

    internal static RuntimeConfig Read(JsonElement c) => new()
    {
        User = OciJson.String(c, "User"),
        ExposedPorts = OciJson.SetKeys(c, "ExposedPorts") ?? Array.Empty<string>(),
        Env = OciJson.StringArray(c, "Env") ?? Array.Empty<string>(),
        Entrypoint = OciJson.StringArray(c, "Entrypoint"),
        Cmd = OciJson.StringArray(c, "Cmd"),
        Volumes = OciJson.SetKeys(c, "Volumes") ?? Array.Empty<string>(),
        WorkingDir = OciJson.String(c, "WorkingDir"),
        Labels = OciJson.StringMap(c, "Labels") ?? new Dictionary<string, string>(),
        StopSignal = OciJson.String(c, "StopSignal"),
    };
}

/// <summary>One history entry; <see cref="EmptyLayer"/> marks an entry that added no layer (so no diff_id).</summary>
internal sealed record HistoryEntry(string? Created, string? CreatedBy, string? Comment = null, bool EmptyLayer = false)
{
    internal void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        if (Created is not null) w.WriteString("created", Created);
        if (CreatedBy is not null) w.WriteString("created_by", CreatedBy);
        if (!string.IsNullOrEmpty(Comment)) w.WriteString("comment", Comment);
        if (EmptyLayer) w.WriteBoolean("empty_layer", true);
        w.WriteEndObject();
    }

    internal static HistoryEntry Read(JsonElement e) => new(
        OciJson.String(e, "created"), OciJson.String(e, "created_by"), OciJson.String(e, "comment"),
        OciJson.Property(e, "empty_layer") is { ValueKind: JsonValueKind.True });
}
