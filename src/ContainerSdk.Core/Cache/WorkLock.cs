using System.Diagnostics;
using System.Globalization;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// Keeps two builds of one project from writing the same intermediate or output folder at once (two terminals, an
/// IDE and a terminal, parallel CI jobs on one checkout): the second waits for the first, then finds its work in the
/// cache. The lock is an exclusive flock on a lock file: .NET opens a file with <see cref="FileShare.None"/> under
/// flock(LOCK_EX | LOCK_NB) on Linux, which excludes every other open file description, so other processes and other
/// threads of this process alike, and the kernel drops it when the holder dies (kill -9 leaves no stale lock).
/// The holder's pid is kept in a separate file, only for the waiting message.
/// </summary>
internal sealed class WorkLock : IDisposable
{
    private const string TimeoutVariable = "CONTAINERSDK_LOCK_TIMEOUT";
    private readonly FileStream _lock;

    private WorkLock(FileStream stream) => _lock = stream;

    /// <summary>How long a build waits for another one: CONTAINERSDK_LOCK_TIMEOUT seconds, 10 minutes by default.</summary>
    internal static TimeSpan DefaultTimeout =>
        double.TryParse(Environment.GetEnvironmentVariable(TimeoutVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 0
            ? TimeSpan.FromSeconds(s) : TimeSpan.FromMinutes(10);

    /// <summary>Takes the lock on <paramref name="lockFile"/>, waiting (and saying so, once) while another build holds it.</summary>
    public static WorkLock Acquire(string lockFile, IBuildLog log, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultTimeout;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(lockFile))!);
        string pidFile = lockFile + ".pid";
        var clock = Stopwatch.StartNew();
        bool told = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            FileStream? stream = TryOpen(lockFile);
            if (stream is not null)
            {
                try { File.WriteAllText(pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"); }
                catch (IOException) { } catch (UnauthorizedAccessException) { } // only used for messages
                if (told) log.Info($"The other build of this project finished after {clock.Elapsed.TotalSeconds:0.0} s; this one goes on.");
                return new WorkLock(stream);
            }
            if (!told)
            {
                log.Info($"Waiting for another build of this project ({Holder(pidFile)}) to finish: it holds {lockFile}.");
                told = true;
            }
            if (clock.Elapsed >= limit)
                throw new ContainerSdkException(Codes.BuildFolderLocked,
                    $"Another build of this project ({Holder(pidFile)}) still holds {lockFile} after {limit.TotalSeconds:0} s. " +
                    $"Wait for it to finish or stop it; set {TimeoutVariable} (seconds) to wait longer.", lockFile);
            Thread.Sleep(100);
        }
    }

    /// <summary>The lock when no other build holds it, else null at once.</summary>
    public static WorkLock? TryAcquire(string lockFile) => TryOpen(lockFile) is { } stream ? new WorkLock(stream) : null;

    private static FileStream? TryOpen(string lockFile)
    {
        try
        {
            return new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException) when (File.Exists(lockFile))
        {
            return null; // held by another build (EWOULDBLOCK from flock)
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ContainerSdkException(Codes.OutputWriteFailed, $"Cannot create the build lock {lockFile}: permission denied.", lockFile, inner: e);
        }
    }

    private static string Holder(string pidFile)
    {
        try
        {
            var text = File.ReadAllText(pidFile).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? $"pid {pid}" : "pid unknown";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return "pid unknown"; }
    }

    public void Dispose() => _lock.Dispose();
}
