using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Tar;
using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Outputs;

/// <summary>
/// A docker-archive (what `docker save` writes, `docker load` and `podman load` read): manifest.json with every tag
/// in RepoTags, the legacy `repositories` file, the config and the layers under blobs/sha256 (as Docker 25 names them).
/// gzip and plain layers go in as they are. Docker's format has no zstd (docker load before 25 cannot read it), so
/// zstd layers are recompressed to gzip: same diffIDs, so the same config and image ID; a warning says so.
/// </summary>
internal sealed class DockerArchiveWriter : IImageWriter
{
    public IReadOnlyList<string> Names { get; } = new[] { "docker-archive", "docker" };

    public ImageWriteResult Write(BuiltImage image, string archivePath, ImageWriteContext context)
    {
        var (manifest, tags, repository, log) = (image.Manifest, image.Tags, image.Repository, context.Log);
        string recompressDir = new WorkPaths(context.WorkDirectory).DockerArchiveBlobs;

        var layerFiles = new List<(string Name, string Path)>();
        int recompressed = 0;
        for (int i = 0; i < image.Layers.Count; i++)
        {
            string path = image.BlobFile(i)!;
            if (image.Layers[i].Descriptor.MediaType == MediaTypes.LayerZstd)
            {
                path = Recompress(path, recompressDir);
                recompressed++;
            }
            layerFiles.Add(($"blobs/sha256/{Path.GetFileName(path)}", path));
        }
        if (recompressed > 0)
            log.Warning(Codes.ZstdNotInDockerArchive,
                $"The docker-archive '{archivePath}' holds {recompressed} zstd layer(s) recompressed to gzip: Docker's archive format has no zstd " +
                "(docker load before Docker 25 refuses it). The image (config, diffIDs, image ID) is the same; the OCI layout keeps the zstd layers.");

        var config = manifest.Config;
        var manifestJson = OciJson.Write(w =>
        {
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteString("Config", $"blobs/sha256/{config.Digest.Hex}");
            OciJson.WriteStringArray(w, "RepoTags", tags.Select(t => $"{repository}:{t}").ToArray());
            w.WriteStartArray("Layers");
            foreach (var (name, _) in layerFiles) w.WriteStringValue(name);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
        });
        var repositoriesJson = OciJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartObject(repository);
            foreach (var tag in tags) w.WriteString(tag, config.Digest.Hex);
            w.WriteEndObject();
            w.WriteEndObject();
        });

        ArchiveTar.Write(archivePath, context.Epoch, archive =>
        {
            var blobs = new SortedDictionary<string, string?>(StringComparer.Ordinal) { [$"blobs/sha256/{config.Digest.Hex}"] = null };
            foreach (var (name, path) in layerFiles) blobs[name] = path;
            foreach (var (name, path) in blobs)
                if (path is null) archive.FileFrom(name, image, config.Digest);
                else archive.FileFrom(name, path);
            archive.File("manifest.json", manifestJson);
            archive.File("repositories", repositoriesJson);
        });
        return new ImageWriteResult(image.ManifestDescriptor.Digest, config.Digest, tags, archivePath);
    }

    /// <summary>zstd to gzip through the engine's own (deterministic) blob writer; kept by digest for the next build.</summary>
    private static string Recompress(string zstdBlob, string directory)
    {
        using var writer = LayerBlobWriter.Create(directory, LayerCompression.Gzip);
        using (var input = Decompression.OpenDecompressed(zstdBlob)) input.CopyTo(writer, 1 << 16);
        return writer.Complete().BlobPath;
    }
}
