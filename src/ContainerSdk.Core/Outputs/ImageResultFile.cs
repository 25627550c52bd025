using System.Text.Json;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Outputs;

/// <summary>
/// The image step's result as a build keeps it for the next one (the intermediate folder's image.result): a build in
/// which MSBuild skips the image step still returns the image item from it. Written and read only here, field by field
/// (the JSON a default <c>JsonSerializer</c> writes for {ManifestDigest, ConfigDigest, Repository, Tags}): a build with
/// nothing changed reads it in a fresh MSBuild process, where the reflection serializer's first use costs tens of ms.
/// </summary>
internal static class ImageResultFile
{
    public static void Write(string path, ImageResult result, string repository)
    {
        using var temp = new TempFile(path);
        using (var stream = temp.Create())
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("ManifestDigest", result.ManifestDigest.ToString());
            w.WriteString("ConfigDigest", result.ConfigDigest.ToString());
            w.WriteString("Repository", repository);
            w.WriteStartArray("Tags");
            foreach (var tag in result.Tags) w.WriteStringValue(tag);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        temp.Commit();
    }

    /// <summary>The result recorded at <paramref name="path"/> for the layout at <paramref name="layoutPath"/>.</summary>
    public static (ImageResult Result, string Repository) Read(string path, string layoutPath)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"'{path}' holds no image result.");
        string Text(string name) => root.GetProperty(name).GetString() ?? throw new InvalidDataException($"'{path}' has no {name}.");
        var tags = root.GetProperty("Tags").EnumerateArray().Select(t => t.GetString() ?? throw new InvalidDataException($"'{path}' has a null tag.")).ToArray();
        return (new ImageResult(Digest.Parse(Text("ManifestDigest")), Digest.Parse(Text("ConfigDigest")), tags, layoutPath), Text("Repository"));
    }
}
