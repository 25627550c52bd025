using System.Diagnostics;

namespace ContainerSdk.Tests.Registry;

/// <summary>
/// A server process that cannot outlive the test process. It runs under a tiny sh watchdog that holds the read end
/// of a pipe whose only writer is this process: when the test process exits or is killed (even SIGKILL), the pipe
/// reaches end-of-file and the watchdog terminates the server. PR_SET_PDEATHSIG is not used on purpose: it fires
/// when the forking *thread* exits, and .NET starts processes from pool threads that come and go.
/// </summary>
internal sealed class ParentBoundProcess : IDisposable
{
    // $1 = log file, $2.. = the server command. The server gets /dev/null as stdin so it never holds the pipe.
    private const string Watchdog =
        "log=\"$1\"; shift; \"$@\" </dev/null >>\"$log\" 2>&1 & child=$!; " +
        "trap 'kill -KILL $child 2>/dev/null' EXIT; " +
        "while read -r _; do :; done; " +
        "kill -TERM $child 2>/dev/null; wait $child";

    private readonly Process _watchdog;
    private readonly EventHandler _onExit;
    private int _stopped;

    private ParentBoundProcess(Process watchdog, string logPath)
    {
        _watchdog = watchdog;
        LogPath = logPath;
        _onExit = (_, _) => Dispose();
        AppDomain.CurrentDomain.ProcessExit += _onExit;
    }

    public string LogPath { get; }

    public bool HasExited => _watchdog.HasExited;

    /// <summary>The watchdog's process id (the server is its only child).</summary>
    internal int WatchdogId => _watchdog.Id;

    public static ParentBoundProcess Start(string logPath, string file, IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(logPath)!,
        };
        foreach (var a in new[] { "-c", Watchdog, "watchdog", logPath, file }.Concat(args)) psi.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (k, v) in environment)
                if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        return new ParentBoundProcess(Process.Start(psi)!, logPath);
    }

    /// <summary>The last lines the server wrote, for failure messages.</summary>
    public string LogTail(int lines = 30)
    {
        try { return string.Join('\n', File.ReadLines(LogPath).TakeLast(lines)); }
        catch (IOException) { return "(no log)"; }
    }

    /// <summary>Closes the pipe (the watchdog stops the server and waits for it), then makes sure both are gone.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        AppDomain.CurrentDomain.ProcessExit -= _onExit;
        try { _watchdog.StandardInput.Close(); } catch (IOException) { }
        if (!_watchdog.WaitForExit(TimeSpan.FromSeconds(5)))
            try { _watchdog.Kill(entireProcessTree: true); _watchdog.WaitForExit(); } catch (InvalidOperationException) { }
        _watchdog.Dispose();
    }
}
