using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Images;

/// <summary>
/// What an image archive resolved to (config, layer blobs copied out into the work folder), kept under the archive's
/// content hash, tag and platform: an unchanged archive, gzip'd or not, is not read again. A record whose files are
/// gone (a cleaned work folder) is ignored and the archive read again.
/// </summary>
internal sealed record ArchiveResolution(string ConfigPath, string? ManifestDigest, string? Name, IReadOnlyList<ArchiveResolution.Layer> Layers)
{
    public sealed record Layer(Descriptor Descriptor, Digest DiffId, string BlobPath, string? CreatedBy);

    private sealed record Stored(string ConfigPath, string? ManifestDigest, string? Name, StoredLayer[] Layers);
    private sealed record StoredLayer(string MediaType, string Digest, long Size, string DiffId, string BlobPath, string? CreatedBy);

    public static string PathFor(string directory, string sourceKey, string? reference, string platform)
    {
        var key = SHA256.HashData(Encoding.UTF8.GetBytes($"{sourceKey}\n{reference}\n{platform}"));
        return Path.Combine(directory, Convert.ToHexString(key)[..32].ToLowerInvariant() + ".resolved.json");
    }

    public static ArchiveResolution? TryLoad(string path)
    {
        try
        {
            if (!File.Exists(path)) return null;
            var stored = JsonSerializer.Deserialize<Stored>(File.ReadAllBytes(path));
            if (stored is null || !File.Exists(stored.ConfigPath)) return null;
            var layers = new List<Layer>();
            foreach (var l in stored.Layers)
            {
                var descriptor = new Descriptor(l.MediaType, Digest.Parse(l.Digest), l.Size);
                var blob = new FileInfo(l.BlobPath);
                if (!blob.Exists || blob.Length != l.Size) return null;
                layers.Add(new Layer(descriptor, Digest.Parse(l.DiffId), l.BlobPath, l.CreatedBy));
            }
            return new ArchiveResolution(stored.ConfigPath, stored.ManifestDigest, stored.Name, layers);
        }
        catch (Exception e) when (e is IOException or JsonException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Save(string path)
    {
        var stored = new Stored(ConfigPath, ManifestDigest, Name, Layers.Select(l =>
            new StoredLayer(l.Descriptor.MediaType, l.Descriptor.Digest.ToString(), l.Descriptor.Size, l.DiffId.ToString(), l.BlobPath, l.CreatedBy)).ToArray());
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var temp = new TempFile(path);
        temp.WriteAllBytes(JsonSerializer.SerializeToUtf8Bytes(stored));
        temp.Commit();
    }
}
