using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// Keeps the folder cache within ContainerCacheMaxSize. What the current build uses always stays; of the older entries
/// (layer blobs, and in a shared folder the bundle's segments), those another name still holds stay too (a blob
/// hard-linked into a layout, this project's or a neighbour's: deleting the cache's name would free nothing, and the
/// next build of that layout hits it), and count first against the bound; the rest stay newest first by their last use
/// (<see cref="CacheUses"/>) while they fit, and everything older is evicted, with the records that describe it
/// (selectors, segment index, stamp, use). Run only where no other build can be using the folder: the work folder
/// under its <see cref="WorkLock"/>, a shared folder when its <see cref="SharedCacheLock"/> could be taken alone.
/// </summary>
internal static class CachePruning
{
    /// <summary>What a pruning did: how much older content it kept and what it evicted.</summary>
    public sealed record Result(int Evicted, long EvictedBytes, long KeptBytes, long Bound);

    private sealed record Entry(string Path, string Kind, string Name, long Size, bool Linked, long LastUse);

    /// <param name="inUse">Full paths of the entries the current build uses: never evicted, not counted.</param>
    /// <param name="bound">Bytes of older entries to keep.</param>
    public static Result Prune(WorkPaths paths, IReadOnlySet<string> inUse, long bound)
    {
        var uses = new CacheUses(paths.CacheUses);
        var older = Entries(paths, uses).Where(e => !inUse.Contains(e.Path))
            .OrderByDescending(e => e.Linked).ThenByDescending(e => e.LastUse).ThenBy(e => e.Name, StringComparer.Ordinal).ToList();

        long kept = 0, evictedBytes = 0;
        int count = 0;
        bool full = false;
        var evicted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in older)
        {
            if (entry.Linked) { kept += entry.Size; continue; }
            // Strictly least recently used: once one does not fit, every older one goes too.
            if (!full && kept + entry.Size <= bound) { kept += entry.Size; continue; }
            full = true;
            if (!Evict(paths, uses, entry)) { kept += entry.Size; continue; }
            evictedBytes += entry.Size;
            count++;
            if (entry.Kind == CacheUses.Blobs) evicted.Add(entry.Name);
        }
        DeleteOrphans(paths, uses, evicted);
        return new Result(count, evictedBytes, kept, bound);
    }

    private static IEnumerable<Entry> Entries(WorkPaths paths, CacheUses uses)
    {
        if (Directory.Exists(paths.Blobs))
            foreach (var file in Directory.EnumerateFiles(paths.Blobs))
                if (IsDigestName(Path.GetFileName(file)) && Describe(file, CacheUses.Blobs, Path.GetFileName(file), uses) is { } entry)
                    yield return entry;
        // In the work folder the bundle deletes its own unused segments; in a shared folder they are the cache's.
        if (paths.IsShared && Directory.Exists(paths.BundleSegments))
            foreach (var file in Directory.EnumerateFiles(paths.BundleSegments, "*.gz"))
                if (!TempFiles.IsTemp(Path.GetFileName(file)) && Describe(file, CacheUses.Bundle, Path.GetFileName(file), uses) is { } entry)
                    yield return entry;
    }

    private static Entry? Describe(string file, string kind, string name, CacheUses uses)
    {
        if (NativeStat.LStat(file, out var st, out _) != 0) return null;
        long lastUse = uses.LastUse(kind, name) ?? st.st_mtime * 1000 + st.st_mtime_nsec / 1_000_000;
        return new Entry(file, kind, name, st.st_size, st.st_nlink > 1, lastUse);
    }

    private static bool Evict(WorkPaths paths, CacheUses uses, Entry entry)
    {
        if (!FileCleanup.TryDelete(entry.Path) && File.Exists(entry.Path)) return false;
        uses.Forget(entry.Kind, entry.Name);
        if (entry.Kind == CacheUses.Bundle)
        {
            FileCleanup.TryDelete(entry.Path + ".sha256"); // the segment's recorded digest, beside it
            return true;
        }
        FileCleanup.TryDelete(Path.Combine(paths.BlobStamps, entry.Name));
        FileCleanup.TryDelete(LayerSegments.PathOf(paths.LayerSegments, entry.Path));
        return true;
    }

    /// <summary>
    /// Records about blobs that are gone (evicted now, or deleted by hand): selectors naming them, their segment indexes,
    /// stamps and uses. A selector is read only when blobs went now: it names its blob inside, not in its file name.
    /// </summary>
    private static void DeleteOrphans(WorkPaths paths, CacheUses uses, HashSet<string> evicted)
    {
        bool Gone(string hex) => !File.Exists(Path.Combine(paths.Blobs, hex));
        foreach (var folder in new[] { paths.LayerSegments, paths.BlobStamps })
            if (Directory.Exists(folder))
                foreach (var file in Directory.EnumerateFiles(folder))
                    if (IsDigestName(Path.GetFileName(file)) && Gone(Path.GetFileName(file))) FileCleanup.TryDelete(file);
        foreach (var name in uses.Names(CacheUses.Blobs))
            if (Gone(name)) uses.Forget(CacheUses.Blobs, name);
        foreach (var name in uses.Names(CacheUses.Bundle))
            if (!File.Exists(Path.Combine(paths.BundleSegments, name))) uses.Forget(CacheUses.Bundle, name);
        if (evicted.Count == 0 || !Directory.Exists(paths.Selectors)) return;
        foreach (var selector in Directory.EnumerateFiles(paths.Selectors))
        {
            string? digest;
            try { digest = File.ReadLines(selector).Skip(1).FirstOrDefault(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            if (digest is not null && digest.StartsWith("sha256:", StringComparison.Ordinal) && evicted.Contains(digest["sha256:".Length..]))
                FileCleanup.TryDelete(selector);
        }
    }

    private static bool IsDigestName(string name) => name.Length == 64 && name.AsSpan().IndexOfAnyExcept("0123456789abcdef") < 0;
}
