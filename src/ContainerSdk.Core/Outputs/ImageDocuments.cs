using ContainerSdk.Core.IO;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Outputs;

/// <summary>
/// The image step's documents when it writes no layout (GenerateContainerImageLayout false): the manifest and the
/// config, kept in the work folder (<c>Cache.WorkPaths.ImageDocuments</c>) for <c>dotnet publish</c>, which pushes them
/// with the layers layers.state names, wherever those are (a file of the layer cache, or a registry that holds them).
/// No layer byte is written: a CI job that only publishes needs none. The image's referrers (the SBOM, the ACL dump)
/// are kept beside them, each as its artifact manifest and its file (<c>referrer-N.json</c>, <c>referrer-N.blob</c>), so
/// a publish-only job pushes them as a build with a layout does.
/// </summary>
internal static class ImageDocuments
{
    private const string ManifestFile = "manifest.json";
    private const string ConfigFile = "config.json";

    public static void Write(string folder, BuiltImage image)
    {
        Directory.CreateDirectory(folder);
        // The referrers' files before the manifests that name them, the config before the manifest: a document is never
        // read beside a file it does not name (the digests are checked on reading too).
        for (int n = 0; n < image.Referrers.Count; n++)
        {
            using var blob = new TempFile(Path.Combine(folder, ReferrerBlob(n)));
            using (var output = blob.Create())
            using (var input = image.Referrers[n].OpenFile())
                input.CopyTo(output);
            blob.Commit();
            WriteIfChanged(Path.Combine(folder, ReferrerManifest(n)), image.Referrers[n].ManifestJson);
        }
        // Referrers of an earlier build beyond this one's count: files this class wrote, in its own folder.
        for (int n = image.Referrers.Count; File.Exists(Path.Combine(folder, ReferrerManifest(n))); n++)
        {
            File.Delete(Path.Combine(folder, ReferrerManifest(n)));
            File.Delete(Path.Combine(folder, ReferrerBlob(n)));
        }
        WriteIfChanged(Path.Combine(folder, ConfigFile), image.ConfigJson);
        WriteIfChanged(Path.Combine(folder, ManifestFile), image.ManifestJson);
    }

    private static string ReferrerManifest(int n) => $"referrer-{n}.json";
    private static string ReferrerBlob(int n) => $"referrer-{n}.blob";

    private static void WriteIfChanged(string path, byte[] bytes)
    {
        if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes)) return;
        using var temp = new TempFile(path);
        temp.WriteAllBytes(bytes);
        temp.Commit();
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
        var referrers = new List<ImageReferrer>();
        for (int n = 0; File.Exists(Path.Combine(folder, ReferrerManifest(n))); n++)
        {
            string blob = Path.Combine(folder, ReferrerBlob(n));
            var referrer = ImageReferrer.Read(File.ReadAllBytes(Path.Combine(folder, ReferrerManifest(n))), () => File.OpenRead(blob));
            // One left by an earlier image (the build was interrupted between the files) is not this image's: skipped.
            if (referrer.Manifest.Subject?.Digest == descriptor.Digest) referrers.Add(referrer);
        }
        return new BuiltImage(repository, index, image, referrers).WithTags(tags);
    }
}
