using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// Deletes the temporary files that killed builds left in the work folder (a half-written layer blob can be
/// gigabytes). Called with the <see cref="WorkLock"/> held: no other build is writing there, so every temporary
/// file in it belongs to a build that died.
/// </summary>
internal static class WorkSweep
{
    public static int DeleteLeftovers(string workDirectory)
    {
        if (!Directory.Exists(workDirectory)) return 0;
        int deleted = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var file in Directory.EnumerateFiles(workDirectory, TempFiles.Prefix + "*", options))
        {
            if (FileCleanup.TryDelete(file)) deleted++;
        }
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
