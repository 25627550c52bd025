using System.Globalization;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// When each cache entry was last used by a build, one small file per entry holding the time: the order in which
/// <see cref="CachePruning"/> evicts (least recently used first). The cache keeps its own record rather than reading
/// atime, which relatime, noatime mounts and backup tools make meaningless; an entry without a record (written by an
/// older SDK) counts as last used when it was written (its mtime).
/// </summary>
internal sealed class CacheUses(string directory)
{
    /// <summary>Layer blobs, by digest hex.</summary>
    public const string Blobs = "blobs";

    /// <summary>Bundle segments of a shared folder, by file name.</summary>
    public const string Bundle = "bundle";

    /// <summary>Records that this build used the <paramref name="kind"/> entries <paramref name="names"/> at <paramref name="now"/>.</summary>
    public void Record(string kind, IEnumerable<string> names, DateTimeOffset now)
    {
        var folder = Path.Combine(directory, kind);
        Directory.CreateDirectory(folder);
        string text = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + "\n";
        foreach (var name in names)
        {
            using var temp = new TempFile(Path.Combine(folder, name));
            temp.WriteAllText(text);
            temp.Commit();
        }
    }

    /// <summary>The entry's last use in Unix milliseconds, or null without a readable record.</summary>
    public long? LastUse(string kind, string name)
    {
        try
        {
            return long.TryParse(File.ReadAllText(Path.Combine(directory, kind, name)).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    public void Forget(string kind, string name) => FileCleanup.TryDelete(Path.Combine(directory, kind, name));

    /// <summary>The names of every record of <paramref name="kind"/> (temporary files left out).</summary>
    public IEnumerable<string> Names(string kind)
    {
        var folder = Path.Combine(directory, kind);
        return Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder).Select(f => Path.GetFileName(f)).Where(n => !TempFiles.IsTemp(n)).ToList()
            : Enumerable.Empty<string>();
    }
}
