using System.Text.Json.Nodes;
using Json.Schema;

using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Oci;

/// <summary>
/// The OCI image-spec JSON schemas from ../shared/oci-image-spec-schema. They are draft-04 (which JsonSchema.Net does not
/// implement) and name themselves with draft-04 "id"; each is loaded as draft-07 (same meaning for the keywords they use)
/// with a $id built from its file name, so that their relative "$ref": "defs.json#..." resolve inside one registry.
/// </summary>
public static class OciSchemas
{
    private const string BaseUri = "https://opencontainers.org/schema/";
    private static readonly Lazy<(EvaluationOptions Options, Dictionary<string, JsonSchema> Schemas)?> Loaded = new(Load);

    public static string? FindDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "oci-image-spec-schema");
            if (File.Exists(Path.Combine(candidate, "image-manifest-schema.json"))) return candidate;
        }
        return null;
    }

    /// <summary>Null when valid, else the errors; skips (fails under CI) when the schemas are not found.</summary>
    public static string? Validate(string schemaFile, byte[] json)
    {
        var loaded = Loaded.Value;
        if (loaded is null)
        {
            const string why = "shared/oci-image-spec-schema was not found beside the repository (walking up from the test binaries)";
            if (Tools.InCi) Assert.Fail(why);
            Assert.Skip(why);
            return null;
        }
        var (options, schemas) = loaded.Value;
        var result = schemas[schemaFile].Evaluate(JsonNode.Parse(json), options);
        if (result.IsValid) return null;
        var errors = (result.Details ?? Array.Empty<EvaluationResults>()).Prepend(result)
            .Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key}: {e.Value}"));
        return string.Join("\n", errors);
    }

    /// <summary>Asserts that <paramref name="json"/> is valid for the schema file <paramref name="schemaFile"/>, listing every error.</summary>
    public static void AssertValid(string schemaFile, byte[] json)
    {
        var errors = Validate(schemaFile, json);
        if (errors is not null)
            Assert.Fail($"{System.Text.Encoding.UTF8.GetString(json)}\nis not valid for {schemaFile}:\n{errors}");
    }

    private static (EvaluationOptions, Dictionary<string, JsonSchema>)? Load()
    {
        var dir = FindDirectory();
        if (dir is null) return null;
        var options = new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true };
        var schemas = new Dictionary<string, JsonSchema>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(dir, "*.json"))
        {
            var node = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            RemoveDraft4Ids(node);
            var name = Path.GetFileName(file);
            node.Remove("$schema");
            var rebuilt = new JsonObject { ["$schema"] = "http://json-schema.org/draft-07/schema#", ["$id"] = BaseUri + name };
            foreach (var (k, v) in node.ToList()) { node.Remove(k); rebuilt[k] = v; }
            var schema = JsonSchema.FromText(rebuilt.ToJsonString());
            options.SchemaRegistry.Register(schema);
            schemas[name] = schema;
        }
        return (options, schemas);
    }

    // A draft-04 "id" is a string; a property *named* id would be an object schema, and is kept.
    private static void RemoveDraft4Ids(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["id"] is JsonValue v && v.TryGetValue<string>(out _)) o.Remove("id");
                foreach (var (_, child) in o.ToList()) RemoveDraft4Ids(child);
                break;
            case JsonArray a:
                foreach (var child in a) RemoveDraft4Ids(child);
                break;
        }
    }
}
