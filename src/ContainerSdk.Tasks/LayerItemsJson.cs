using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ContainerSdk.Core.Modules;

namespace ContainerSdk.Tasks;

/// <summary>
/// The JSON of <see cref="LayerItems"/>' metadata: the text <c>JsonSerializer</c> with default options writes and reads,
/// without its reflection, whose first use costs a fresh MSBuild process tens of milliseconds (it emits code). The
/// layers step writes it field by field (the serializer's setup alone costs it more than the writing); the steps after
/// read it through the context generated at compile time.
/// </summary>
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(InstalledModuleFile))]
internal sealed partial class LayerItemsJson : JsonSerializerContext
{
    public static string Write(IReadOnlyList<string> items) => Write(w =>
    {
        w.WriteStartArray();
        foreach (var item in items) w.WriteStringValue(item);
        w.WriteEndArray();
    });

    public static string Write(IReadOnlyDictionary<string, string> map) => Write(w =>
    {
        w.WriteStartObject();
        foreach (var (key, value) in map) w.WriteString(key, value);
        w.WriteEndObject();
    });

    /// <summary>Its public properties in declaration order, a null as null: the serializer's defaults.</summary>
    public static string Write(InstalledModuleFile file) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString(nameof(file.SourcePath), file.SourcePath);
        w.WriteString(nameof(file.ImagePath), file.ImagePath);
        w.WriteString(nameof(file.Text), file.Text);
        w.WriteString(nameof(file.FromPrefix), file.FromPrefix);
        w.WriteString(nameof(file.ToPrefix), file.ToPrefix);
        w.WriteString(nameof(file.ModulePath), file.ModulePath);
        w.WriteEndObject();
    });

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            body(writer);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
