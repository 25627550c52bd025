namespace ContainerSdk.Core.Tests.Cache;

/// <summary>
/// The system's clock moved on by a fixed time: files written just now are as old, to the stat cache, as they would be
/// after waiting that long (its racy window is 2 s), without the wait.
/// </summary>
internal sealed class ClockAhead(TimeSpan by) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + by;
}
