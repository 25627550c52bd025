using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Registry;

/// <summary>
/// One request's wait for an answer (response headers, the next piece of a body): its token is cancelled once the server
/// has been silent for <see cref="RegistryOptions.ResponseTimeout"/> (or the operation's <see cref="WaitBudget"/> is
/// spent), and while it waits longer than <see cref="RegistryOptions.WaitNoticeAfter"/> the build says so at normal
/// verbosity, naming the host. Armed while silence counts, disarmed while the caller works (a slow disk is not a silent server).
/// </summary>
internal sealed class AnswerWait : IDisposable
{
    private readonly string _host;
    private readonly string _what;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _noticeAfter;
    private readonly WaitBudget _budget;
    private readonly IBuildLog _log;
    private readonly TimeProvider _clock;
    private readonly CancellationToken _outer;
    private readonly CancellationTokenSource _cancel;
    private readonly ITimer _notice;
    private long _silentSince;
    private TimeSpan _armedFor;
    private int _disposed;

    public AnswerWait(Uri target, string what, RegistryOptions options, WaitBudget budget, IBuildLog log, CancellationToken cancel, TimeSpan? timeout = null)
    {
        _host = target.Authority;
        _what = what;
        _timeout = timeout ?? options.ResponseTimeout;
        _noticeAfter = options.WaitNoticeAfter;
        _budget = budget;
        _log = log;
        _clock = options.Clock;
        _outer = cancel;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        _notice = _clock.CreateTimer(_ => Notice(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Arm();
    }

    public CancellationToken Token => _cancel.Token;

    /// <summary>Starts counting silence: cancels after the timeout (or what the budget has left), says so while it lasts.</summary>
    public void Arm()
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        _silentSince = _clock.GetTimestamp();
        _armedFor = _budget.Left < _timeout ? _budget.Left : _timeout;
        try
        {
            _cancel.CancelAfter(_armedFor);
            _notice.Change(_noticeAfter, _noticeAfter * 2);
        }
        catch (ObjectDisposedException) { }
    }

    /// <summary>Something moved (a piece of the body went out or came in): the silence starts again.</summary>
    public void Moved() => Arm();

    /// <summary>Stops counting: the server answered, or the caller is busy with what it sent.</summary>
    public void Disarm()
    {
        try
        {
            _cancel.CancelAfter(Timeout.InfiniteTimeSpan);
            _notice.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException) { }
    }

    /// <summary>Whether a cancellation was this wait's timeout, not the build being cancelled.</summary>
    public bool TimedOut => _cancel.IsCancellationRequested && !_outer.IsCancellationRequested;

    /// <summary>The timeout as the exception the retry loop reads; the wait is charged to the operation's budget.</summary>
    public SilentServerException Silent()
    {
        _budget.Charge(_armedFor);
        return new SilentServerException(_host, _what, _armedFor);
    }

    private void Notice()
    {
        var waited = _clock.GetElapsedTime(_silentSince);
        if (Volatile.Read(ref _disposed) == 0 && !_cancel.IsCancellationRequested)
            _log.Info($"  waiting for {_host} ({_what}) — {waited.TotalSeconds:0} s");
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _notice.Dispose();
        _cancel.Dispose();
    }
}
