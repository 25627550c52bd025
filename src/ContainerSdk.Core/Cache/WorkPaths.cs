using System.Security.Cryptography;
using System.Text;

namespace ContainerSdk.Core.Cache;

/// <summary>The layout of the engine's work folder under the intermediate output, in one place.</summary>
public sealed class WorkPaths(string workDirectory)
{
    public string Spool { get; } = Path.Combine(workDirectory, "spool");
    public string Blobs { get; } = Path.Combine(workDirectory, "blobs", "sha256");
    /// <summary>Configs of images used as bases, by digest: the image step starts from them.</summary>
    public string ImageConfigs { get; } = Path.Combine(workDirectory, "images");

    public string CacheRoot { get; } = Path.Combine(workDirectory, "cache");
    public string StatCache { get; } = Path.Combine(workDirectory, "cache", "statcache.bin");
    public string TarballIndexes { get; } = Path.Combine(workDirectory, "cache", "tarballs");
    /// <summary>Each blob's identity when its bytes were last known to be its digest's (<see cref="Cache.BlobStamps"/>).</summary>
    public string BlobStamps { get; } = Path.Combine(workDirectory, "cache", "stamps");

    /// <summary>The bundle's cached gzip segments, and what the last bundle was made of (to skip an unchanged one).</summary>
    public string BundleSegments { get; } = Path.Combine(workDirectory, "bundle");
    /// <summary>Where each gzip layer blob written here holds the bundle's segments, by the blob's digest.</summary>
    public string LayerSegments { get; } = Path.Combine(workDirectory, "cache", "segments");
    public string BundleInputs { get; } = Path.Combine(workDirectory, "bundle.inputs");
    public string BundleState { get; } = Path.Combine(workDirectory, "bundle.state");

    /// <summary>zstd layers recompressed to gzip for a docker-archive, by digest.</summary>
    public string DockerArchiveBlobs { get; } = Path.Combine(workDirectory, "docker-archive");

    /// <summary>Where a layer position's last plan summary is kept, for saying what changed.</summary>
    public string Journal(int index, string itemSpec) =>
        Path.Combine(CacheRoot, "journal", $"{index}-{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(itemSpec)))[..16].ToLowerInvariant()}.txt");
}
