using ContainerSdk.Core.Bundle;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Layers;

namespace ContainerSdk.Core.Engine;

/// <summary>
/// The last stage of the layers step: the folder cache is brought within ContainerCacheMaxSize (<see cref="CachePruning"/>).
/// What this build uses is recorded as used now and kept: its layers' blobs and, in a shared folder, its bundle's
/// segments. The bound is ContainerCacheMaxSize, else the image's size (its layers' blobs), so that the work folder
/// holds at most about twice the image; a shared folder keeps the largest bound any project using it asked for
/// (<see cref="CacheBounds"/>), and is pruned only when no other build uses it.
/// </summary>
internal static class CacheBound
{
    public static void Keep(WorkPaths paths, IReadOnlyList<BuiltLayer> built, long? maxSize, SharedCacheLock? sharing, IBuildLog log)
    {
        long own = maxSize ?? DefaultBound(paths, built);
        var inUse = BlobsInUse(built);
        var now = DateTimeOffset.UtcNow;
        var uses = new CacheUses(paths.CacheUses);
        var blobs = Path.TrimEndingDirectorySeparator(paths.Blobs) + Path.DirectorySeparatorChar;
        uses.Record(CacheUses.Blobs, inUse.Where(p => p.StartsWith(blobs, StringComparison.Ordinal)).Select(Path.GetFileName).OfType<string>(), now);
        if (paths.IsShared)
        {
            var segments = BundleState.SegmentFiles(paths);
            uses.Record(CacheUses.Bundle, segments.Select(Path.GetFileName).OfType<string>(), now);
            inUse.UnionWith(segments);
        }

        if (sharing is null)
        {
            Record(paths, maxSize);
            Report(paths, CachePruning.Prune(paths, inUse, own), log);
            return;
        }
        var bounds = new CacheBounds(paths.CacheBounds);
        bounds.Record(paths.Work, own);
        if (!sharing.LeaveAndRunIfAlone(SharedCacheLock.LockFileOf(paths.Shared), () => Report(paths, CachePruning.Prune(paths, inUse, bounds.Largest(own)), log)))
            log.Detail($"Cache {paths.Shared}: another build is using it, so it is pruned by a later build.");
    }

    /// <summary>
    /// After the image step: the layout no longer links the previous image's blobs, so what the layers step had to keep
    /// for it may now go, within the bound that step used. Only in a work folder of its own (a shared folder is pruned by
    /// the layers steps), and only when no build of the project is running its layers step: that one's new blobs are
    /// no layout's yet.
    /// </summary>
    public static void AfterImage(WorkPaths paths, IReadOnlyList<BuiltLayer> layers, IBuildLog log)
    {
        if (paths.IsShared || ReadBound(paths) is not { } recorded) return;
        using var alone = WorkLock.TryAcquire(Path.Combine(paths.Work, ".lock"));
        if (alone is null) return;
        long bound = recorded >= 0 ? recorded : DefaultBound(paths, layers);
        Report(paths, CachePruning.Prune(paths, BlobsInUse(layers), bound), log);
    }

    /// <summary>The full paths of the layers' blobs; a layer left in the registry (Remote) has no file here.</summary>
    private static HashSet<string> BlobsInUse(IReadOnlyList<BuiltLayer> layers) =>
        layers.Where(l => l.Remote is null).Select(l => Path.GetFullPath(l.BlobPath)).ToHashSet(StringComparer.Ordinal);

    /// <summary>Records ContainerCacheMaxSize for the image step, -1 for the default (worked out again there).</summary>
    private static void Record(WorkPaths paths, long? maxSize)
    {
        long bound = maxSize ?? -1;
        string text = bound.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n";
        if (ReadBound(paths) == bound) return; // unchanged: nothing written
        Directory.CreateDirectory(Path.GetDirectoryName(paths.CacheBound)!);
        using var temp = new IO.TempFile(paths.CacheBound);
        temp.WriteAllText(text);
        temp.Commit();
    }

    private static long? ReadBound(WorkPaths paths)
    {
        try
        {
            return long.TryParse(File.ReadAllText(paths.CacheBound).Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var b) ? b : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>
    /// Without ContainerCacheMaxSize: the image's size (its layers' blobs), less what the work folder holds besides blobs
    /// (the stat cache, records, bundle segments), so that the whole work folder stays within twice the image.
    /// </summary>
    private static long DefaultBound(WorkPaths paths, IReadOnlyList<BuiltLayer> built)
    {
        long image = built.Sum(l => l.Descriptor.Size);
        if (paths.IsShared) return image; // a shared folder's other content is no one project's
        var blobs = Path.TrimEndingDirectorySeparator(paths.Blobs) + Path.DirectorySeparatorChar;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        long other = new DirectoryInfo(paths.Work).EnumerateFiles("*", options).Where(f => !f.FullName.StartsWith(blobs, StringComparison.Ordinal)).Sum(f => f.Length);
        return Math.Max(0, image - other);
    }

    private static void Report(WorkPaths paths, CachePruning.Result result, IBuildLog log)
    {
        if (result.Evicted > 0)
            log.Detail($"Cache {paths.Shared}: evicted {result.Evicted} least recently used entr{(result.Evicted == 1 ? "y" : "ies")} ({Sizes.Format(result.EvictedBytes)}); " +
                       $"keeping {Sizes.Format(result.KeptBytes)} besides this build's (ContainerCacheMaxSize {Sizes.Format(result.Bound)}).");
    }
}
