using System.Text.Json;

namespace ContainerSdk.Core.Registry;

/// <summary>The distribution spec's error body, <c>{"errors":[{"code":…,"message":…}]}</c>, as one line for a message.</summary>
internal static class RegistryErrorBody
{
    public static string Summarize(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
                return Printable(string.Join("; ", errors.EnumerateArray().Select(e =>
                    $"{Field(e, "code")}{(Field(e, "message") is { Length: > 0 } m ? ": " + m : "")}")));
        }
        catch (JsonException) { }
        return Printable(text.Trim());
    }

    private static string Field(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    private static string Printable(string text) => new(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
}
