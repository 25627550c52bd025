using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Tests.Registry;

/// <summary>
/// A small but real OCI image layout for push and pull tests: gzip tar layers of random bytes (so every test's blobs are
/// its own and no registry holds them already), a config whose diff_ids match, one manifest tagged in index.json.
/// </summary>
internal sealed class TestLayout
{
    private TestLayout(string path, Descriptor manifest, Manifest parsed)
    {
        Path = path;
        ManifestDescriptor = manifest;
        Manifest = parsed;
    }

    public string Path { get; }
    public Descriptor ManifestDescriptor { get; }
    public Digest Digest => ManifestDescriptor.Digest;
    public Manifest Manifest { get; }

    public string BlobPath(Digest digest) => System.IO.Path.Combine(Path, "blobs", "sha256", digest.Hex);

    public static TestLayout Create(string path, string tag = "v1", params int[] layerSizes)
    {
        if (layerSizes.Length == 0) layerSizes = new[] { 2000, 300_000 };
        Directory.CreateDirectory(System.IO.Path.Combine(path, "blobs", "sha256"));
        File.WriteAllText(System.IO.Path.Combine(path, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        var layers = new List<Descriptor>();
        var diffIds = new List<string>();
        for (int i = 0; i < layerSizes.Length; i++)
        {
            var tar = new MemoryStream();
            using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
            {
                var data = new byte[layerSizes[i]];
                Random.Shared.NextBytes(data);
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"layer{i}/data.bin") { DataStream = new MemoryStream(data) });
            }
            diffIds.Add(Digest.Compute(tar.ToArray()).ToString());
            var gz = new MemoryStream();
            using (var gzip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(tar.ToArray());
            layers.Add(WriteBlob(path, MediaTypes.LayerGzip, gz.ToArray()));
        }
        var config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/bin\"]}," +
            $"\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[{string.Join(",", diffIds.Select(d => $"\"{d}\""))}]}}}}");
        var manifest = new Manifest { Config = WriteBlob(path, MediaTypes.ImageConfig, config), Layers = layers };
        var manifestDescriptor = WriteBlob(path, MediaTypes.ImageManifest, manifest.ToJson());
        var index = new ImageIndex
        {
            Manifests = new[] { manifestDescriptor with { Annotations = new Dictionary<string, string> { [ImageIndex.RefNameAnnotation] = tag } } },
        };
        File.WriteAllBytes(System.IO.Path.Combine(path, "index.json"), index.ToJson());
        return new TestLayout(path, manifestDescriptor, manifest);
    }

    private static Descriptor WriteBlob(string layout, string mediaType, byte[] content)
    {
        var digest = Digest.Compute(content);
        File.WriteAllBytes(System.IO.Path.Combine(layout, "blobs", "sha256", digest.Hex), content);
        return new Descriptor(mediaType, digest, content.Length);
    }
}
