using System.Diagnostics;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// Lets builds of different projects use one ContainerCacheDirectory at the same time without waiting for each other,
/// and still lets the temporary files of killed builds be swept there. Every build holds a shared flock on the folder's
/// lock file while it builds (.NET takes LOCK_SH for a file opened read-only with sharing, LOCK_EX for
/// <see cref="FileShare.None"/>; the kernel drops either when the holder dies). Before that, a build tries the
/// exclusive lock without waiting: only when no other build uses the folder does it get it, and only then is every
/// temporary file there a dead build's, so only then does it sweep. A busy folder is swept by a later, lonely build.
/// </summary>
internal sealed class SharedCacheLock : IDisposable
{
    private readonly FileStream _lock;

    private SharedCacheLock(FileStream stream) => _lock = stream;

    /// <summary>The lock file of a shared cache folder.</summary>
    public static string LockFileOf(string cacheDirectory) => Path.Combine(cacheDirectory, ".lock");

    /// <summary>
    /// Joins the builds using the folder: runs <paramref name="sweepWhenAlone"/> if no other build uses it, then holds a
    /// shared lock until disposed. Waits only while another build sweeps (a moment), at most <paramref name="timeout"/>.
    /// </summary>
    public static SharedCacheLock Enter(string lockFile, Action sweepWhenAlone, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(lockFile))!);
        using (var alone = TryOpen(lockFile, exclusive: true))
            if (alone is not null) sweepWhenAlone();

        var limit = timeout ?? WorkLock.DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryOpen(lockFile, exclusive: false) is { } shared) return new SharedCacheLock(shared);
            if (clock.Elapsed >= limit)
                throw new ContainerSdkException(Codes.BuildFolderLocked,
                    $"Another build has held {lockFile} exclusively for {limit.TotalSeconds:0} s (it sweeps the shared cache folder only for a moment): stop it, or set CONTAINERSDK_LOCK_TIMEOUT (seconds) to wait longer.", lockFile);
            Thread.Sleep(50);
        }
    }

    /// <summary>
    /// Leaves the builds using the folder and runs <paramref name="whenAlone"/> only if no other build uses it (the
    /// exclusive lock, without waiting): a build still running may be about to use any blob there. True if it ran.
    /// </summary>
    public bool LeaveAndRunIfAlone(string lockFile, Action whenAlone)
    {
        _lock.Dispose();
        using var alone = TryOpen(lockFile, exclusive: true);
        if (alone is null) return false;
        whenAlone();
        return true;
    }

    private static FileStream? TryOpen(string lockFile, bool exclusive)
    {
        try
        {
            return exclusive
                ? new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None)
                : new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
        }
        catch (IOException) when (File.Exists(lockFile))
        {
            return null; // the other kind of lock is held (EWOULDBLOCK from flock)
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ContainerSdkException(Codes.OutputWriteFailed, $"Cannot open the shared cache lock {lockFile}: permission denied.", lockFile, inner: e);
        }
    }

    public void Dispose() => _lock.Dispose();
}
