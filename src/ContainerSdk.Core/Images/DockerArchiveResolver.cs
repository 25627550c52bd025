using System.Text.Json;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Blobs;

namespace ContainerSdk.Core.Images;

/// <summary>
/// Picks one image out of a docker-archive (docker save, podman save, skopeo docker-archive:): manifest.json lists
/// each image's config file, RepoTags and layer files; <c>Reference</c> picks by tag ("name:tag" or "tag").
/// </summary>
internal static class DockerArchiveResolver
{
    public static ResolvedImage Resolve(ImageFiles files, string? reference)
    {
        var json = files.ReadDocument("manifest.json");
        using var doc = ParseJson(files, json);
        if (doc.RootElement.ValueKind != JsonValueKind.Array || doc.RootElement.GetArrayLength() == 0)
            throw files.Invalid("manifest.json is not a non-empty list of images");

        var images = doc.RootElement.EnumerateArray().ToList();
        JsonElement chosen;
        string? name;
        if (!string.IsNullOrWhiteSpace(reference))
        {
            var match = images.Select(i => (Image: i, Tag: Tags(i).FirstOrDefault(t => Matches(t, reference!))))
                .FirstOrDefault(x => x.Tag is not null);
            if (match.Tag is null)
                throw new ContainerSdkException(Codes.ImageReferenceNotFound,
                    $"Image '{files.ItemSpec}' has no image tagged '{reference}'; its tags: {string.Join(", ", images.SelectMany(Tags).DefaultIfEmpty("none"))}.");
            (chosen, name) = (match.Image, match.Tag);
        }
        else
        {
            if (images.Count > 1)
                throw new ContainerSdkException(Codes.ImageReferenceNotFound,
                    $"Image '{files.ItemSpec}' holds {images.Count} images ({string.Join(", ", images.SelectMany(Tags))}): set the BaseLayer's Reference metadata to the tag to use.");
            chosen = images[0];
            name = Tags(chosen).FirstOrDefault();
        }

        var configName = OciJson.String(chosen, "Config") ?? throw files.Invalid("manifest.json names no Config");
        var configJson = files.ReadDocument(configName);
        var layerNames = OciJson.StringArray(chosen, "Layers") ?? Array.Empty<string>();
        var layers = layerNames.Select(l => (Describe(files, l), l)).ToList();
        return ImageConfigReader.Build(files, manifest: null, configJson, layers, name);
    }

    /// <summary>"tag", "name:tag" or the fully qualified name docker and podman store ("docker.io/library/name:tag").</summary>
    private static bool Matches(string repoTag, string reference) =>
        repoTag == reference || repoTag.EndsWith(":" + reference, StringComparison.Ordinal) || Qualified(repoTag) == Qualified(reference);

    private static string Qualified(string name)
    {
        var first = name.Split('/')[0];
        bool hasHost = name.Contains('/') && (first.Contains('.') || first.Contains(':') || first == "localhost");
        if (hasHost) return name;
        return name.Contains('/') ? "docker.io/" + name : "docker.io/library/" + name;
    }

    private static IEnumerable<string> Tags(JsonElement image) => OciJson.StringArray(image, "RepoTags") ?? Array.Empty<string>();

    /// <summary>A layer file has no descriptor in this format: its compression comes from its magic bytes, its digest from its content.</summary>
    private static Descriptor Describe(ImageFiles files, string name)
    {
        if (!files.Exists(name)) throw files.Invalid($"manifest.json names layer '{name}', which the archive does not hold");
        Span<byte> magic = stackalloc byte[4];
        int n;
        using (var s = files.Open(name)) n = s.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        string mediaType = Decompression.Detect(magic[..n]) switch
        {
            StreamCompression.Gzip => MediaTypes.LayerGzip,
            StreamCompression.Zstd => MediaTypes.LayerZstd,
            _ => MediaTypes.LayerTar,
        };
        // No digest yet: it is computed (and the blob checked against the config) when the blob is copied out.
        Digest digest = default;
        return new Descriptor(mediaType, digest, files.Length(name));
    }

    private static JsonDocument ParseJson(ImageFiles files, byte[] json)
    {
        try { return OciJson.ParseDocument(json, "manifest.json"); }
        catch (FormatException e) { throw files.Invalid(e.Message); }
    }
}
