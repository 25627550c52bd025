using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// Deletes the temporary files that killed builds left (a half-written layer blob can be gigabytes): in the work
/// folder with the <see cref="WorkLock"/> held, so no other build is writing there; in a shared cache folder only
/// while no other build uses it (<see cref="SharedCacheLock"/>), so no temporary file there is another build's.
/// </summary>
internal static class WorkSweep
{
    /// <summary>The work folder's leftovers; a shared cache folder inside it (an unusual but legal ContainerCacheDirectory) is left to its own sweep.</summary>
    public static int DeleteLeftovers(WorkPaths paths)
    {
        var shared = paths.IsShared ? Path.TrimEndingDirectorySeparator(paths.Shared) + Path.DirectorySeparatorChar : null;
        return DeleteIn(new[] { paths.Work }, file => shared is null || !file.StartsWith(shared, StringComparison.Ordinal));
    }

    /// <summary>A shared cache folder's leftovers, only in the folders builds write there (never anything else the folder holds).</summary>
    public static int DeleteSharedLeftovers(WorkPaths paths) => DeleteIn(paths.SharedFolders, _ => true);

    private static int DeleteIn(IEnumerable<string> folders, Func<string, bool> mine)
    {
        int deleted = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var folder in folders.Where(Directory.Exists))
            foreach (var file in Directory.EnumerateFiles(folder, TempFiles.Prefix + "*", options))
                if (mine(file) && FileCleanup.TryDelete(file)) deleted++;
        return deleted;
    }

    /// <summary>Temporary files of <paramref name="outputs"/> (the bundle, its ACL dump) beside them, also from dead builds.</summary>
    public static int DeleteLeftoversOf(params string[] outputs)
    {
        int deleted = 0;
        foreach (var output in outputs)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(output))!;
            if (!Directory.Exists(folder)) continue;
            foreach (var file in Directory.EnumerateFiles(folder, TempFiles.Prefix + Path.GetFileName(output) + "-*"))
            {
                if (FileCleanup.TryDelete(file)) deleted++;
            }
        }
        return deleted;
    }
}
