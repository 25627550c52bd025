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

    /// <summary>A registry's text as a message may show it: control characters replaced, at most <paramref name="max"/> characters.</summary>
    internal static string Printable(string text, int max = int.MaxValue, char replacement = ' ') =>
        new(text.Take(max).Select(c => char.IsControl(c) ? replacement : c).ToArray());
}
