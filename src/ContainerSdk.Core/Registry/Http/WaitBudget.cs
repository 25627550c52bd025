namespace ContainerSdk.Core.Registry;

/// <summary>
/// How long one operation (a manifest, a blob, with its token) may spend waiting on a silent server, retries included:
/// each wait that timed out is charged in full, an answered one costs nothing, and no wait is armed for longer than is
/// left. A registry that answers slowly is never cut off for it; one that says nothing is given up after this, not after
/// every retry has waited its full timeout.
/// </summary>
internal sealed class WaitBudget(TimeSpan total)
{
    private long _spentTicks;

    public TimeSpan Total { get; } = total;

    public TimeSpan Spent => TimeSpan.FromTicks(Interlocked.Read(ref _spentTicks));

    public TimeSpan Left => Total - Spent is { Ticks: > 0 } left ? left : TimeSpan.Zero;

    /// <summary>Less than a moment left: another try could not wait long enough for an answer.</summary>
    public bool IsSpent => Left < TimeSpan.FromMilliseconds(100);

    public void Charge(TimeSpan waited) => Interlocked.Add(ref _spentTicks, waited.Ticks);
}

/// <summary>A server that said nothing for as long as a request may wait: which host, what it was asked, for how long.</summary>
internal sealed class SilentServerException(string host, string what, TimeSpan waited)
    : TimeoutException($"{host} ({what}) did not answer within {waited.TotalSeconds:0.#} s")
{
    public string Host { get; } = host;
    public string What { get; } = what;
}
