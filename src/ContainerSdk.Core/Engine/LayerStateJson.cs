using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Modules;

namespace ContainerSdk.Core.Engine;

/// <summary>
/// The JSON of <see cref="LayerState"/>: the text <c>JsonSerializer</c> with default options writes for
/// <see cref="LayerStateEntry"/>[], without its reflection, whose first use costs a fresh MSBuild process tens of
/// milliseconds (it emits code). The layers step writes it field by field (the serializer's setup alone costs it more
/// than the writing); the steps after read it through the context generated at compile time.
/// </summary>
[JsonSerializable(typeof(LayerStateEntry[]))]
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
internal sealed partial class LayerStateJson : JsonSerializerContext
{
    public static string Write(IReadOnlyList<BuiltLayer> layers)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var layer in layers) Write(w, layer);
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>The properties of <see cref="LayerStateEntry"/>, in its declaration order.</summary>
    private static void Write(Utf8JsonWriter w, BuiltLayer layer)
    {
        w.WriteStartObject();
        w.WriteString(nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.BlobPath), layer.BlobPath);
        w.WriteString(nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.Remote), layer.Remote);
        w.WriteString(nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.MediaType), layer.Descriptor.MediaType);
        w.WriteString(nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.Digest), layer.Descriptor.Digest.ToString());
        w.WriteNumber(nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.Size), layer.Descriptor.Size);
        w.WritePropertyName(nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.Annotations));
        if (layer.Descriptor.Annotations is { Count: > 0 } annotations)
        {
            w.WriteStartObject();
            foreach (var (key, value) in annotations) w.WriteString(key, value);
            w.WriteEndObject();
        }
        else w.WriteNullValue();
        w.WriteString(nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.DiffId), layer.DiffId.ToString());
        w.WriteString(nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.SourceItem), layer.ItemSpec);
        w.WriteString(nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.Kind), layer.Kind.ToString());
        WriteList(w, nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.Environment), layer.Environment);
        w.WritePropertyName(nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.ModuleFile));
        if (layer.ModuleFile is { } file) Write(w, file);
        else w.WriteNullValue();
        w.WriteString(nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.Version), layer.Version);
        w.WriteString(nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.License), layer.License);
        WriteList(w, nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.AllowedRegistries), layer.AllowedRegistries);
        w.WriteString(nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.CreatedBy), layer.CreatedBy);
        w.WritePropertyName(nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.BaseImage));
        if (layer.FromImage is { } origin)
        {
            w.WriteStartObject();
            w.WriteString(nameof(global::ContainerSdk.Core.Engine.BaseImageEntry.Config), origin.ConfigPath);
            w.WriteString(nameof(global::ContainerSdk.Core.Engine.BaseImageEntry.Digest), origin.ManifestDigest);
            w.WriteString(nameof(global::ContainerSdk.Core.Engine.BaseImageEntry.Name), origin.ImageName);
            w.WriteEndObject();
        }
        else w.WriteNullValue();
        w.WriteNumber(nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.Part), layer.Part);
        w.WriteNumber(nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.Parts), layer.Parts);
        w.WriteString(nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.TargetPath), layer.TargetPath);
        w.WriteString(nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.SourcePath), layer.SourcePath);
        w.WriteString(nameof(global::ContainerSdk.Core.Engine.LayerStateEntry.SourceSha256), layer.SourceSha256);
        w.WriteEndObject();
    }

    private static void WriteList(Utf8JsonWriter w, string name, IReadOnlyList<string> items)
    {
        w.WriteStartArray(name);
        foreach (var item in items) w.WriteStringValue(item);
        w.WriteEndArray();
    }

    /// <summary>Its public properties in declaration order, a null as null: the serializer's defaults.</summary>
    private static void Write(Utf8JsonWriter w, InstalledModuleFile file)
    {
        w.WriteStartObject();
        w.WriteString(nameof(file.SourcePath), file.SourcePath);
        w.WriteString(nameof(file.ImagePath), file.ImagePath);
        w.WriteString(nameof(file.Text), file.Text);
        w.WriteString(nameof(file.FromPrefix), file.FromPrefix);
        w.WriteString(nameof(file.ToPrefix), file.ToPrefix);
        w.WriteString(nameof(file.ModulePath), file.ModulePath);
        w.WritePropertyName(nameof(file.SitePackage));
        if (file.SitePackage is { } site)
        {
            w.WriteStartObject();
            w.WriteString(nameof(site.Path), site.Path);
            w.WriteString(nameof(site.Text), site.Text);
            w.WriteEndObject();
        }
        else w.WriteNullValue();
        w.WriteEndObject();
    }
}
