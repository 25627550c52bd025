namespace ContainerSdk.Core.Diagnostics;

/// <summary>
/// A steady progress line for long work (a layer, the bundle), as <c>dotnet test</c> and <c>dotnet restore</c> keep a
/// user informed: every <c>interval</c> it asks the work how far it is (<c>line</c>, given the time elapsed) and logs
/// the answer through <see cref="IBuildLog.Progress"/>. The work only bumps counters that the line reads: nothing is
/// added to its hot path, and work shorter than one interval prints nothing at all. Disposing it stops the lines; none
/// is logged after <see cref="Dispose"/> returns, so a line never follows the work's own last line.
/// </summary>
internal sealed class ProgressTicker : IDisposable
{
    /// <summary>How often a console (CI) log gets a line: often enough to show the build is alive, rare enough to read.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    private readonly IBuildLog _log;
    private readonly Func<TimeSpan, string?> _line;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly Timer _timer;
    private readonly object _gate = new();
    private bool _stopped;

    /// <param name="line">What to log now, from the time elapsed; null to skip this tick.</param>
    public ProgressTicker(IBuildLog log, TimeSpan interval, Func<TimeSpan, string?> line)
    {
        _log = log;
        _line = line;
        var period = interval > TimeSpan.Zero ? interval : DefaultInterval;
        _timer = new Timer(_ => Tick(), null, period, period);
    }

    private void Tick()
    {
        lock (_gate)
        {
            if (_stopped) return;
            try
            {
                if (_line(_clock.Elapsed) is { } text) _log.Progress(text);
            }
            catch (Exception)
            {
                // A progress line is a courtesy: on a timer's thread an exception would end the process (MSBuild's
                // with it), so a line that cannot be made or logged stops the lines and leaves the work alone.
                _stopped = true;
            }
        }
    }

    /// <summary>A rate as the lines show it: bytes per second over the time elapsed.</summary>
    public static string Rate(long bytes, TimeSpan elapsed) =>
        elapsed.TotalSeconds <= 0 ? "" : $"{Sizes.Format((long)(bytes / elapsed.TotalSeconds))}/s";

    /// <summary>A share of a total as a whole percentage, never 100 % before the work says it is done (a total may be an estimate).</summary>
    public static int Percent(long done, long total) => total <= 0 ? 0 : (int)Math.Clamp(done * 100 / total, 0, 99);

    public void Dispose()
    {
        lock (_gate) _stopped = true;
        _timer.Dispose();
    }
}
