using ContainerSdk.Core.IO;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Outputs;

/// <summary>
/// The image step's documents when it writes no layout (GenerateContainerImageLayout false): the manifest and the
/// config, kept in the work folder (<c>Cache.WorkPaths.ImageDocuments</c>) for <c>dotnet publish</c>, which pushes them
/// with the layers layers.state names, wherever those are (a file of the layer cache, or a registry that holds them).
/// No layer byte is written: a CI job that only publishes needs none.
/// </summary>
internal static class ImageDocuments
{
    private const string ManifestFile = "manifest.json";
    private const string ConfigFile = "config.json";

    public static void Write(string folder, BuiltImage image)
    {
        Directory.CreateDirectory(folder);
        // The config first: a manifest is never read beside a config it does not name (the digests are checked on reading too).
        foreach (var (name, bytes) in new[] { (ConfigFile, image.ConfigJson), (ManifestFile, image.ManifestJson) })
        {
            string path = Path.Combine(folder, name);
            if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes)) continue;
            using var temp = new TempFile(path);
            temp.WriteAllBytes(bytes);
            temp.Commit();
        }
    }

    /// <summary>The image the documents in <paramref name="folder"/> describe, its layers those of <paramref name="layers"/> (checked against the manifest).</summary>
    /// <param name="openRemote">Opens a layer left in a registry (<see cref="BuiltLayer.Remote"/>) as a stream of its bytes.</param>
    public static BuiltImage Read(string folder, string repository, IReadOnlyList<string> tags, IReadOnlyList<BuiltLayer> layers, Func<BuiltLayer, Stream> openRemote)
    {
        byte[] manifestJson = File.ReadAllBytes(Path.Combine(folder, ManifestFile));
        byte[] configJson = File.ReadAllBytes(Path.Combine(folder, ConfigFile));
        var manifest = Manifest.Parse(manifestJson);
        if (manifest.Config.Digest != Digest.Compute(configJson))
            throw new InvalidDataException($"{folder}: the config is not the one the manifest names; build the project again.");
        if (!manifest.Layers.Select(l => l.Digest).SequenceEqual(layers.Select(l => l.Descriptor.Digest)))
            throw new InvalidDataException($"{folder}: the manifest's layers are not the layers step's last ones; build the project again.");
        var descriptor = new Descriptor(MediaTypes.ImageManifest, Digest.Compute(manifestJson), manifestJson.Length);
        var image = new ComposedImage(descriptor, manifestJson, configJson, ImageConfig.Parse(configJson), layers, openRemote);
        var index = new ImageIndex { Manifests = new[] { descriptor } };
        return new BuiltImage(repository, index, image).WithTags(tags);
    }
}
