namespace ContainerSdk.Core.IO;

/// <summary>Deleting a file the build wrote, when failing to is no error (it is swept or replaced later).</summary>
internal static class FileCleanup
{
    // Below this, freeing a file's blocks costs less than a thread pool hand-off.
    private const long LargeFile = 16L << 20;

    public static bool TryDelete(string path)
    {
        try { File.Delete(path); return true; }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// Deletes a large file the build wrote and no longer needs (an output's old content, swapped out), without waiting
    /// for the file system to free its blocks: ext4 does that when the last reference goes, inside unlink, and for the
    /// bundle's 480 MiB that was 0.1-0.2 s of every build that wrote a bundle. The name is removed at once while the file
    /// is still held open; the close that frees the blocks runs on the thread pool (or at process exit, by the kernel).
    /// </summary>
    public static void Delete(string path)
    {
        Microsoft.Win32.SafeHandles.SafeFileHandle? held = null;
        try
        {
            held = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (RandomAccess.GetLength(held) < LargeFile)
            {
                held.Dispose();
                held = null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { held = null; }
        File.Delete(path);
        if (held is not null) ThreadPool.UnsafeQueueUserWorkItem(static h => h.Dispose(), held, preferLocal: false);
    }
}
