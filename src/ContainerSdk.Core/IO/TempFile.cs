namespace ContainerSdk.Core.IO;

/// <summary>
/// A file written under a temporary name beside its target (through <see cref="Create"/> or the WriteAll methods) and
/// put in its place on <see cref="Commit"/>: a killed build leaves either the old file or the new one, never half of
/// one. Disposed uncommitted, the temporary file is deleted.
/// </summary>
internal sealed class TempFile : IDisposable
{
    private readonly string _target;
    private bool _committed;

    public TempFile(string target)
    {
        _target = System.IO.Path.GetFullPath(target);
        string directory = System.IO.Path.GetDirectoryName(_target)!;
        Directory.CreateDirectory(directory);
        Path = System.IO.Path.Combine(directory, TempFiles.NewName(System.IO.Path.GetFileName(_target)));
    }

    /// <summary>Where to write.</summary>
    public string Path { get; }

    /// <summary>
    /// Opens the temporary file for writing. It is created, never truncated: .NET truncates a file opened with
    /// FileMode.Create even when it is new, and on ext4 (auto_da_alloc) a truncated file is flushed to disk when it is
    /// closed, so closing a large output (the bundle) waited for the disk, up to a second behind other writeback.
    /// </summary>
    public FileStream Create(int bufferSize = 1 << 16) =>
        new(Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize);

    /// <summary>Writes <paramref name="bytes"/> as the whole file, through <see cref="Create"/>.</summary>
    public void WriteAllBytes(ReadOnlySpan<byte> bytes)
    {
        using var stream = Create();
        stream.Write(bytes);
    }

    /// <summary>UTF-8 without a byte order mark, as File.WriteAllText writes.</summary>
    public void WriteAllText(string text) => WriteAllBytes(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Each line followed by "\n", as File.WriteAllLines writes on Linux.</summary>
    public void WriteAllLines(IEnumerable<string> lines) => WriteAllText(string.Concat(lines.Select(line => line + "\n")));

    /// <summary>
    /// Gives the temporary file the bytes of <paramref name="source"/>, a file of the build's own stores: a second name for
    /// it where the file system allows (no copy), else a copy.
    /// </summary>
    public void LinkOrCopy(string source)
    {
        if (!HardLink.TryCreate(source, Path)) File.Copy(source, Path);
    }

    public void Commit() => CommitAs(_target);

    /// <summary>Renames the file to a name known only once it is written (a blob named by its digest), in the same folder.</summary>
    public void CommitAs(string target)
    {
        // An existing target is swapped out rather than renamed over (see RenameExchange); its old content, now under
        // the temporary name, is deleted (a temporary name a later build's sweep removes, should this be interrupted),
        // its blocks freed in the background when it is large.
        if (File.Exists(target) && RenameExchange.TrySwap(Path, target)) FileCleanup.Delete(Path);
        else File.Move(Path, target, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        if (!_committed && File.Exists(Path)) File.Delete(Path);
    }
}
