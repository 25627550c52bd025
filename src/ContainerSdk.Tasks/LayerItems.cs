using System.Globalization;
using System.Text.Json;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Modules;
using ContainerSdk.Core.Oci;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ContainerSdk.Tasks;

/// <summary>
/// A <see cref="BuiltLayer"/> carried between targets as a <c>_ContainerLayer</c> item: ItemSpec is the blob
/// path, the descriptor and history fields are metadata. Lists (Environment) and maps (Annotations) are JSON so
/// that any value, ';' included, round-trips exactly; the flat fields stay readable in a -v:diag log. The JSON is
/// <see cref="LayerItemsJson"/>'s.
/// </summary>
public static class LayerItems
{
    public static ITaskItem ToItem(BuiltLayer layer)
    {
        var item = new TaskItem(layer.BlobPath);
        item.SetMetadata("Digest", layer.Descriptor.Digest.ToString());
        item.SetMetadata("DiffId", layer.DiffId.ToString());
        item.SetMetadata("Size", layer.Descriptor.Size.ToString(CultureInfo.InvariantCulture));
        item.SetMetadata("MediaType", layer.Descriptor.MediaType);
        item.SetMetadata("Kind", layer.Kind.ToString());
        item.SetMetadata("SourceItem", layer.ItemSpec);
        item.SetMetadata("Environment", LayerItemsJson.Write(layer.Environment));
        item.SetMetadata("ModuleFile", layer.ModuleFile is null ? "" : LayerItemsJson.Write(layer.ModuleFile));
        item.SetMetadata("Version", layer.Version ?? "");
        item.SetMetadata("License", layer.License ?? "");
        item.SetMetadata("CreatedBy", layer.CreatedBy);
        item.SetMetadata("Annotations", layer.Descriptor.Annotations is { Count: > 0 } a ? LayerItemsJson.Write(a) : "");
        // A base image's layer: its config (the image step's starting config), name and digest.
        item.SetMetadata("BaseImageConfig", layer.FromImage?.ConfigPath ?? "");
        item.SetMetadata("BaseImageDigest", layer.FromImage?.ManifestDigest ?? "");
        item.SetMetadata("BaseImageName", layer.FromImage?.ImageName ?? "");
        return item;
    }

    public static BuiltLayer FromItem(ITaskItem item)
    {
        var annotationsJson = item.GetMetadata("Annotations");
        var environmentJson = item.GetMetadata("Environment");
        var descriptor = new Descriptor(item.GetMetadata("MediaType"), Digest.Parse(item.GetMetadata("Digest")),
            long.Parse(item.GetMetadata("Size"), NumberStyles.None, CultureInfo.InvariantCulture))
        {
            Annotations = annotationsJson.Length == 0 ? null
                : new SortedDictionary<string, string>(JsonSerializer.Deserialize(annotationsJson, LayerItemsJson.Default.DictionaryStringString)!, StringComparer.Ordinal),
        };
        return new BuiltLayer
        {
            BlobPath = item.ItemSpec,
            Descriptor = descriptor,
            DiffId = Digest.Parse(item.GetMetadata("DiffId")),
            ItemSpec = item.GetMetadata("SourceItem"),
            Kind = Enum.Parse<LayerKind>(item.GetMetadata("Kind")),
            Environment = environmentJson.Length == 0 ? Array.Empty<string>() : JsonSerializer.Deserialize(environmentJson, LayerItemsJson.Default.StringArray)!,
            ModuleFile = item.GetMetadata("ModuleFile") is { Length: > 0 } moduleFile ? JsonSerializer.Deserialize(moduleFile, LayerItemsJson.Default.InstalledModuleFile) : null,
            Version = NullIfEmpty(item.GetMetadata("Version")),
            License = NullIfEmpty(item.GetMetadata("License")),
            CreatedBy = item.GetMetadata("CreatedBy"),
            FromImage = item.GetMetadata("BaseImageConfig") is { Length: > 0 } config
                ? new ImageOrigin(config, NullIfEmpty(item.GetMetadata("BaseImageDigest")), NullIfEmpty(item.GetMetadata("BaseImageName")))
                : null,
        };
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
