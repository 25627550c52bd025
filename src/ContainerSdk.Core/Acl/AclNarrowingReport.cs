using System.Globalization;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Acl;

/// <summary>
/// The paths whose ACLs an image format without ACLs (SquashFS) could not carry exactly, and why (<see cref="AclNarrowing"/>):
/// one coded warning names how many and the first few, and the full list goes into a text file beside the image.
/// </summary>
internal sealed class AclNarrowingReport
{
    /// <summary>How many paths the warning names; the file holds them all.</summary>
    public const int Shown = 5;

    private readonly List<(string Path, string Reason)> _paths = new();

    /// <summary>Records a path (its image path, "/opt/suite/bin/tool") that <see cref="AclNarrowing.ModeFromAcl"/> narrowed.</summary>
    public void Add(string path, string reason) => _paths.Add((path, reason));

    /// <summary>Records the path when its result is not exact; returns the result for chaining.</summary>
    public NarrowedMode Note(string path, NarrowedMode result)
    {
        if (!result.Exact) Add(path, result.Reason);
        return result;
    }

    public int Count => _paths.Count;

    /// <summary>The narrowed paths by path (ordinal), so that the list file is the same bytes on every build.</summary>
    public IReadOnlyList<(string Path, string Reason)> Entries =>
        _paths.OrderBy(p => p.Path, StringComparer.Ordinal).ThenBy(p => p.Reason, StringComparer.Ordinal).ToList();

    /// <summary>
    /// The list file's lines: the path as getfacl quotes it (a tab too, as "\011", so that the first tab ends the path),
    /// a tab, and the reason.
    /// </summary>
    public IEnumerable<string> Lines() => Entries.Select(e => $"{QuotePath(e.Path)}\t{e.Reason}");

    /// <summary>Writes the list to <paramref name="listFile"/> (a temporary file renamed into place); when empty, removes a list an earlier build wrote there.</summary>
    public void Write(string listFile)
    {
        if (Count == 0)
        {
            // No path narrowed: a list an earlier build left beside the image would speak of another image.
            if (File.Exists(listFile)) File.Delete(listFile);
            return;
        }
        using var file = new TempFile(listFile);
        file.WriteAllLines(Lines());
        file.Commit();
    }

    /// <summary>
    /// Under ContainerSquashfsAclPolicy=narrow: one <see cref="Codes.SquashfsAclNarrowed"/> warning, when any path was
    /// narrowed. The caller writes the list first (<see cref="Write"/>).
    /// </summary>
    public void Warn(IBuildLog log, string listFile)
    {
        if (Count == 0) return;
        log.Warning(Codes.SquashfsAclNarrowed,
            $"{Paths()} ACLs that SquashFS cannot store; their owner, group and mode were narrowed so that no one gains access: " +
            $"{FirstFew()}; the full list is in {listFile}. Sites that need every ACL entry unpack the bundle and run the folder; " +
            ExactShape + ".");
    }

    /// <summary>The same warning for an image left as it was (up to date), whose list is still beside it.</summary>
    public static void WarnUnchanged(IBuildLog log, int narrowedPaths, string image, string listFile)
    {
        if (narrowedPaths == 0) return;
        log.Warning(Codes.SquashfsAclNarrowed, $"{PathsHave(narrowedPaths)} ACLs that SquashFS cannot store; in the image {image} (up to date) " +
            $"their owner, group and mode were narrowed so that no one gains access; the list is in {listFile}.");
    }

    /// <summary>Under ContainerSquashfsAclPolicy=error: the <see cref="Codes.SquashfsAclNotStorable"/> error, when any path would be narrowed.</summary>
    public void ThrowIfAny(string listFile)
    {
        if (Count > 0) throw Error(listFile);
    }

    /// <summary>The <see cref="Codes.SquashfsAclNotStorable"/> error for the paths noted so far, for the caller to place at an item.</summary>
    public ContainerSdkException Error(string listFile) => new(Codes.SquashfsAclNotStorable,
        $"{Paths()} ACLs that SquashFS cannot store exactly (ContainerSquashfsAclPolicy is error): {FirstFew()}; the full list is in {listFile}. " +
        "Make each such ACL the exact shape (" + ExactShape + "), or set ContainerSquashfsAclPolicy to narrow to let the image grant less than the ACLs.");

    /// <summary>What <see cref="AclNarrowing"/> carries exactly, as README.md's Apptainer section says it.</summary>
    private const string ExactShape = "an ACL that names one group and no user is carried exactly when the owning group's entry, within the mask, " +
                                      "equals other's and lies within the named group's";

    private string Paths() => PathsHave(Count);

    private static string PathsHave(int count) => count == 1 ? "1 path has" : $"{count.ToString(CultureInfo.InvariantCulture)} paths have";

    private string FirstFew()
    {
        var shown = Entries.Take(Shown).Select(e => $"{QuotePath(e.Path)} ({e.Reason})");
        return string.Join(", ", shown) + (Count > Shown ? ", …" : "");
    }

    private static string QuotePath(string path) => AclQuoting.Quote(path).Replace("\t", "\\011", StringComparison.Ordinal);
}
