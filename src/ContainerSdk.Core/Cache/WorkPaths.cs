using System.Security.Cryptography;
using System.Text;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// The layout of the engine's folders, in one place. What is keyed by content (layer blobs and their selectors, segment
/// indexes, bundle segments, pulled blobs) lives under <see cref="Shared"/>: ContainerCacheDirectory, which several
/// projects, clones and CI runs may point at, or else the work folder itself, with the same names below it. What belongs
/// to one project (stat cache, journal, the last bundle's state, spool) always stays in the work folder.
/// </summary>
internal sealed class WorkPaths
{
    /// <param name="workDirectory">The project's own folder under its intermediate output.</param>
    /// <param name="cacheDirectory">ContainerCacheDirectory, or null for the work folder.</param>
    public WorkPaths(string workDirectory, string? cacheDirectory = null)
    {
        Work = Path.GetFullPath(workDirectory);
        Shared = cacheDirectory is null ? Work : Path.GetFullPath(cacheDirectory);
        IsShared = !string.Equals(Path.TrimEndingDirectorySeparator(Shared), Path.TrimEndingDirectorySeparator(Work), StringComparison.Ordinal);

        Spool = Path.Combine(Work, "spool");
        ImageConfigs = Path.Combine(Work, "images");
        CacheRoot = Path.Combine(Work, "cache");
        StatCache = Path.Combine(Work, "cache", "statcache.bin");
        TarballIndexes = Path.Combine(Work, "cache", "tarballs");
        BundleInputs = Path.Combine(Work, "bundle.inputs");
        BundleState = Path.Combine(Work, "bundle.state");
        SquashfsState = Path.Combine(Work, "squashfs.state");
        DockerArchiveBlobs = Path.Combine(Work, "docker-archive");

        Blobs = Path.Combine(Shared, "blobs", "sha256");
        LayerCache = Path.Combine(Shared, "cache");
        LayerSegments = Path.Combine(Shared, "cache", "segments");
        BlobStamps = Path.Combine(Shared, "cache", "stamps");
        Selectors = Path.Combine(Shared, "cache", "selectors");
        CacheUses = Path.Combine(Shared, "cache", "uses");
        CacheBounds = Path.Combine(Shared, "cache", "bounds");
        CacheBound = Path.Combine(Work, "cache", "bound");
        BundleSegments = Path.Combine(Shared, "bundle");
        Registry = Path.Combine(Shared, "registry");
    }

    /// <summary>The project's work folder.</summary>
    public string Work { get; }

    /// <summary>Where the content-keyed caches live: ContainerCacheDirectory, else <see cref="Work"/>.</summary>
    public string Shared { get; }

    /// <summary>True when <see cref="Shared"/> is another folder than the work folder: other builds may use it at the same time.</summary>
    public bool IsShared { get; }

    public string Spool { get; }
    /// <summary>Configs of images used as bases, by digest: the image step starts from them.</summary>
    public string ImageConfigs { get; }

    /// <summary>The project's own cache records (stat cache, tarball indexes, journal).</summary>
    public string CacheRoot { get; }
    public string StatCache { get; }
    public string TarballIndexes { get; }

    /// <summary>What the last bundle was made of (to skip an unchanged one).</summary>
    public string BundleInputs { get; }
    public string BundleState { get; }

    /// <summary>What the last SquashFS image was made from, and the identities of the image and its list then.</summary>
    public string SquashfsState { get; }

    /// <summary>zstd layers recompressed to gzip for a docker-archive, by digest.</summary>
    public string DockerArchiveBlobs { get; }

    /// <summary>Layer blobs by digest (built, materialized from a base image, or taken from a far cache).</summary>
    public string Blobs { get; }
    /// <summary>The folder layer cache's root: its selectors (fingerprint to blob) are below it.</summary>
    public string LayerCache { get; }
    /// <summary>Where each gzip layer blob holds the bundle's segments, by the blob's digest.</summary>
    public string LayerSegments { get; }
    /// <summary>
    /// Each blob's identity when its bytes were last known to be its digest's (<see cref="Cache.BlobStamps"/>): beside
    /// the blobs, as every project that links a shared blob into its layout moves the same ctime.
    /// </summary>
    public string BlobStamps { get; }
    /// <summary>The folder layer cache's selectors: fingerprint to blob.</summary>
    public string Selectors { get; }
    /// <summary>When each cached blob and (in a shared folder) bundle segment was last used (<see cref="Cache.CacheUses"/>): what the bound evicts first.</summary>
    public string CacheUses { get; }
    /// <summary>The ContainerCacheMaxSize each project using a shared folder asked for (<see cref="Cache.CacheBounds"/>).</summary>
    public string CacheBounds { get; }
    /// <summary>The bound the last layers step kept the cache within, for the image step's pruning.</summary>
    public string CacheBound { get; }
    /// <summary>The bundle's cached gzip segments, by the digest of their entries.</summary>
    public string BundleSegments { get; }
    /// <summary>The blob store of registry downloads (pulled bases, registry cache hits).</summary>
    public string Registry { get; }

    /// <summary>
    /// The image step's manifest and config when it writes no layout (GenerateContainerImageLayout false): what
    /// <c>dotnet publish</c> pushes, with the layers that layers.state names.
    /// </summary>
    public string ImageDocuments => Path.Combine(Work, "image");

    /// <summary>The folders under <see cref="Shared"/> that builds write (and a sweep may look in).</summary>
    public IReadOnlyList<string> SharedFolders => new[] { Path.GetDirectoryName(Blobs)!, LayerCache, BundleSegments, Registry };

    /// <summary>Where a layer position's last plan summary is kept, for saying what changed.</summary>
    public string Journal(int index, string itemSpec) => Path.Combine(CacheRoot, "journal", LayerPosition(index, itemSpec) + ".txt");

    /// <summary>Where the blob a layer position had after its last build is named: a rebuild copies unchanged segments out of it.</summary>
    public string LastBlob(int index, string itemSpec) => Path.Combine(CacheRoot, "journal", LayerPosition(index, itemSpec) + ".blob");

    private static string LayerPosition(int index, string itemSpec) =>
        $"{index}-{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(itemSpec)))[..16].ToLowerInvariant()}";
}
