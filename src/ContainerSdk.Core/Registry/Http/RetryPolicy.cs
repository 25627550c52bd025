using System.Net;
using System.Net.Http.Headers;

namespace ContainerSdk.Core.Registry;

/// <summary>
/// Which failures are worth another try (a registry that is busy, throttling or restarting) and how long to wait:
/// exponential backoff with jitter, so that CI runners that failed together do not come back together; a 429's or
/// 503's Retry-After is honoured up to <see cref="MaxRetryAfter"/>.
/// </summary>
internal sealed record RetryPolicy
{
    public int MaxAttempts { get; init; } = 5;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(20);
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    public static bool IsTransient(HttpStatusCode status) => (int)status switch
    {
        408 or 425 or 429 => true,
        501 or 505 => false,
        >= 500 and <= 599 => true,
        _ => false,
    };

    /// <summary>The wait before attempt <paramref name="attempt"/> + 1 (attempt counts from 1); a Retry-After date is read against <paramref name="now"/>.</summary>
    public TimeSpan DelayAfter(int attempt, RetryConditionHeaderValue? retryAfter, DateTimeOffset now)
    {
        if (retryAfter?.Delta is { } delta) return Min(delta, MaxRetryAfter);
        if (retryAfter?.Date is { } date) return Min(Max(date - now, TimeSpan.Zero), MaxRetryAfter);
        double ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        // Half fixed, half random: never a zero wait, still spread out.
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
