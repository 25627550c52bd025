using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// The bound of a shared ContainerCacheDirectory. Each project that builds with it records the ContainerCacheMaxSize
/// it asked for (its own or its image's size), and the folder keeps the largest of them: the projects share their older
/// blobs, so the one that asks for the most history gets it, and no project's smaller setting prunes what another relies
/// on. A record whose project folder is gone (a deleted clone, a finished CI workspace) no longer counts.
/// </summary>
internal sealed class CacheBounds(string directory)
{
    /// <summary>Records the bound the project of <paramref name="workFolder"/> asked for in this build.</summary>
    public void Record(string workFolder, long bound)
    {
        Directory.CreateDirectory(directory);
        string text = bound.ToString(CultureInfo.InvariantCulture) + "\n" + workFolder + "\n";
        var path = PathOf(workFolder);
        try
        {
            if (File.ReadAllText(path) == text) return; // unchanged: nothing written
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        using var temp = new TempFile(path);
        temp.WriteAllText(text);
        temp.Commit();
    }

    /// <summary>The largest bound a project whose work folder still exists asked for; records of vanished projects are deleted.</summary>
    public long Largest(long own)
    {
        long largest = own;
        if (!Directory.Exists(directory)) return largest;
        foreach (var file in Directory.EnumerateFiles(directory).Where(f => !TempFiles.IsTemp(Path.GetFileName(f))))
        {
            string[] lines;
            try { lines = File.ReadAllLines(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            if (lines.Length < 2 || !long.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var bound) || !Directory.Exists(lines[1]))
            {
                FileCleanup.TryDelete(file);
                continue;
            }
            largest = Math.Max(largest, bound);
        }
        return largest;
    }

    private string PathOf(string workFolder) =>
        Path.Combine(directory, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(workFolder)))[..32].ToLowerInvariant());
}
