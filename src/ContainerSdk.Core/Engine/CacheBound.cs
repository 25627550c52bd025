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
        var inUse = built.Select(l => Path.GetFullPath(l.BlobPath)).ToHashSet(StringComparer.Ordinal);
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
            Report(paths, CachePruning.Prune(paths, inUse, own), log);
            return;
        }
        var bounds = new CacheBounds(paths.CacheBounds);
        bounds.Record(paths.Work, own);
        if (!sharing.LeaveAndRunIfAlone(SharedCacheLock.LockFileOf(paths.Shared), () => Report(paths, CachePruning.Prune(paths, inUse, bounds.Largest(own)), log)))
            log.Detail($"Cache {paths.Shared}: another build is using it, so it is pruned by a later build.");
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
