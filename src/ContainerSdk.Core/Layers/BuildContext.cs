using System.Security.Cryptography;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Images;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// What the steps of one layer build share (plan, layers, bundle): the settings, the work folder's paths, the stat
/// cache, the layer cache and image sources the engine registered, the log and the cancellation. Made by the entry
/// point (<c>Engine.ContainerEngine</c>) once per build.
/// </summary>
internal sealed class BuildContext
{
    public required LayerBuildOptions Options { get; init; }
    public required WorkPaths Paths { get; init; }
    public required StatCache StatCache { get; init; }
    public required ILayerCache LayerCache { get; init; }

    /// <summary>A cache other machines or projects fill (ContainerCacheRepository, a shared ContainerCacheDirectory): worth hashing a never-built layer's files to ask it first.</summary>
    public bool LayerCacheIsShared { get; init; }
    /// <summary>Where the bundle's segments that no layer holds whole are shared between machines (ContainerCacheRepository), or null.</summary>
    public IBundleSegmentStore? SegmentStore { get; init; }
    public required IReadOnlyList<IImageSourceKind> ImageSources { get; init; }

    /// <summary>Something local reads layers' bytes (the layout, the bundle, an archive or SquashFS image); false for a publish-only build.</summary>
    public bool NeedsLayerBytes { get; init; } = true;

    /// <summary>Where registry bases' tarball indexes are shared (ContainerCacheRepository), or null: see <see cref="ITarballIndexStore"/>.</summary>
    public ITarballIndexStore? TarballIndexStore { get; init; }
    public required IBuildLog Log { get; init; }
    public CancellationToken Cancellation { get; init; }

    /// <summary>How often long work (a layer, the bundle) logs a progress line (<see cref="ProgressTicker"/>).</summary>
    public TimeSpan ProgressInterval { get; init; } = ProgressTicker.DefaultInterval;

    /// <summary>Hashes a whole input file (a tarball, an archive) unless the stat cache already knows it.</summary>
    public byte[] HashFile(string path)
    {
        var identity = FileIdentity.Of(path);
        if (identity is { } id && StatCache.TryGet(path, id, out var known)) return known;
        long started = StatCache.NowNs();
        byte[] hash;
        try
        {
            using var stream = File.OpenRead(path);
            hash = SHA256.HashData(stream);
        }
        catch (UnauthorizedAccessException e)
        {
            // The first read of a tarball input: a build run as a normal user over root's files must say which one.
            throw new ContainerSdkException(Codes.InputUnreadable, $"Cannot read '{path}': permission denied. The build needs read access to every input.", path, inner: e);
        }
        if (identity is { } before && FileIdentity.Of(path) == before) StatCache.Set(path, before, hash, started);
        return hash;
    }
}
