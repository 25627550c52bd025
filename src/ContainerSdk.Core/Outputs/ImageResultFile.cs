using System.Text.Json;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Outputs;

/// <summary>
/// The image step's result as a build keeps it for the next one (the intermediate folder's image.result): a build in
/// which MSBuild skips the image step still returns the image item from it. Written and read only here.
/// </summary>
public static class ImageResultFile
{
    private sealed record Stored(string ManifestDigest, string ConfigDigest, string Repository, string[] Tags);

    public static void Write(string path, ImageResult result, string repository)
    {
        using var temp = new TempFile(path);
        File.WriteAllBytes(temp.Path, JsonSerializer.SerializeToUtf8Bytes(
            new Stored(result.ManifestDigest.ToString(), result.ConfigDigest.ToString(), repository, result.Tags.ToArray())));
        temp.Commit();
    }

    /// <summary>The result recorded at <paramref name="path"/> for the layout at <paramref name="layoutPath"/>.</summary>
    public static (ImageResult Result, string Repository) Read(string path, string layoutPath)
    {
        var stored = JsonSerializer.Deserialize<Stored>(File.ReadAllBytes(path))
                     ?? throw new InvalidDataException($"'{path}' holds no image result.");
        return (new ImageResult(Digest.Parse(stored.ManifestDigest), Digest.Parse(stored.ConfigDigest), stored.Tags, layoutPath), stored.Repository);
    }
}
