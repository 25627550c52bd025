using System.Text.RegularExpressions;

namespace ContainerSdk.Tests.Registry;

/// <summary>What a <see cref="FaultRule"/> does to a request it catches.</summary>
public enum FaultKind { Fail, Reset, Delay, SlowBody, CorruptBody, EndlessBody, StallBody, RedirectLoop, DowngradeLocation, RedirectToStorage, CutRequestBody }

/// <summary>
/// One fault: which requests it catches (method, or "*" for any; a regex searched in the path and query) and how
/// many more times it fires. Thread-safe: concurrent requests never make it fire more often than it may.
/// </summary>
public sealed class FaultRule
{
    private readonly Regex _path;
    private int _left;

    internal FaultRule(FaultKind kind, string method, string pathRegex, int times)
    {
        Kind = kind;
        Method = method;
        _path = new Regex(pathRegex, RegexOptions.CultureInvariant);
        _left = times;
    }

    public FaultKind Kind { get; }
    public string Method { get; }
    public string PathRegex => _path.ToString();
    public int Status { get; init; }
    public TimeSpan? RetryAfter { get; init; }
    public TimeSpan Delay { get; init; }

    /// <summary>For <see cref="FaultKind.SlowBody"/>: the rate the request body is taken at.</summary>
    public long BytesPerSecond { get; init; }

    /// <summary>For <see cref="FaultKind.Reset"/>: reset after this many response body bytes (null: before any response); for
    /// <see cref="FaultKind.StallBody"/>: send nothing more after this many; for <see cref="FaultKind.CutRequestBody"/>: the
    /// request body bytes taken before the reset.</summary>
    public long? AfterBodyBytes { get; init; }

    /// <summary>How many more times the rule fires.</summary>
    public int Left => Volatile.Read(ref _left);

    /// <summary>How many matching requests pass before the rule starts firing (the third chunk, not the first).</summary>
    public int Skip { get => _skip; init => _skip = value; }

    private int _skip;

    internal bool TryFire(string method, string pathAndQuery)
    {
        if (Method != "*" && !string.Equals(Method, method, StringComparison.OrdinalIgnoreCase)) return false;
        if (!_path.IsMatch(pathAndQuery)) return false;
        if (Volatile.Read(ref _skip) > 0 && Interlocked.Decrement(ref _skip) >= 0) return false;
        while (true)
        {
            var left = Volatile.Read(ref _left);
            if (left <= 0) return false;
            if (left == int.MaxValue || Interlocked.CompareExchange(ref _left, left - 1, left) == left) return true;
        }
    }

    public override string ToString() => $"{Kind} {Method} {PathRegex}";
}

/// <summary>
/// The faults a <see cref="FaultProxy"/> injects. Rules are tried in the order they were added; the first that
/// matches and has firings left applies (<see cref="Always"/>: it never runs out). A request no rule catches is
/// forwarded, under the chunked-upload policy when <see cref="RequireChunkedUploads"/> was asked for.
/// </summary>
public sealed class FaultPlan
{
    public const int Always = int.MaxValue;
    private readonly List<FaultRule> _rules = [];

    public IReadOnlyList<FaultRule> Rules => _rules;

    /// <summary>The minimum PATCH chunk the proxy demands, or null when uploads pass as they are.</summary>
    public long? ChunkMinLength { get; private set; }

    /// <summary>Answers <paramref name="status"/> (with Retry-After in whole seconds when given) instead of forwarding.</summary>
    public FaultPlan Fail(string method, string pathRegex, int status, int times = 1, TimeSpan? retryAfter = null) =>
        Add(new FaultRule(FaultKind.Fail, method, pathRegex, times) { Status = status, RetryAfter = retryAfter });

    /// <summary>Ends the connection with a TCP reset: before any response, or after <paramref name="afterBodyBytes"/> bytes of the upstream body.</summary>
    public FaultPlan Reset(string method, string pathRegex, int times = 1, long? afterBodyBytes = null) =>
        Add(new FaultRule(FaultKind.Reset, method, pathRegex, times) { AfterBodyBytes = afterBodyBytes });

    /// <summary>
    /// After <paramref name="skip"/> matching requests have passed, takes <paramref name="afterBodyBytes"/> bytes of the request body, then resets the connection; nothing of the request
    /// goes upstream (a proxy that buffers request bodies, as nginx does by default, between a client and the registry whose
    /// link drops).
    /// </summary>
    public FaultPlan CutRequestBody(string method, string pathRegex, long afterBodyBytes, int times = 1, int skip = 0) =>
        Add(new FaultRule(FaultKind.CutRequestBody, method, pathRegex, times) { AfterBodyBytes = afterBodyBytes, Skip = skip });

    /// <summary>Waits <paramref name="delay"/> before forwarding (a slow registry, or one that times the client out).</summary>
    public FaultPlan Delay(string method, string pathRegex, TimeSpan delay, int times = 1) =>
        Add(new FaultRule(FaultKind.Delay, method, pathRegex, times) { Delay = delay });

    /// <summary>Takes the request body at <paramref name="bytesPerSecond"/> while forwarding it (a slow link: an upload that
    /// keeps moving but takes long).</summary>
    public FaultPlan SlowBody(string method, string pathRegex, long bytesPerSecond, int times = Always) =>
        Add(new FaultRule(FaultKind.SlowBody, method, pathRegex, times) { BytesPerSecond = bytesPerSecond });

    /// <summary>Forwards, but flips bytes of the response body (every 1024th, from the first); the length stays.</summary>
    public FaultPlan CorruptBody(string method, string pathRegex, int times = Always) =>
        Add(new FaultRule(FaultKind.CorruptBody, method, pathRegex, times));

    /// <summary>Answers with upstream's status and headers, then a chunked body that never ends.</summary>
    public FaultPlan EndlessBody(string method, string pathRegex, int times = Always) =>
        Add(new FaultRule(FaultKind.EndlessBody, method, pathRegex, times));

    /// <summary>Sends <paramref name="afterBodyBytes"/> bytes of the response body, then nothing more, the connection left open
    /// until the client gives up on it (a registry that hangs mid-blob).</summary>
    public FaultPlan StallBody(string method, string pathRegex, long afterBodyBytes, int times = 1) =>
        Add(new FaultRule(FaultKind.StallBody, method, pathRegex, times) { AfterBodyBytes = afterBodyBytes });

    /// <summary>Answers 307 with Location = the same URL on the proxy.</summary>
    public FaultPlan RedirectLoop(string method, string pathRegex, int times = Always) =>
        Add(new FaultRule(FaultKind.RedirectLoop, method, pathRegex, times));

    /// <summary>Answers 307 with Location = the same path on http://<see cref="FaultProxy.DowngradeHost"/>, another port that forwards too.</summary>
    public FaultPlan DowngradeLocation(string method, string pathRegex, int times = Always) =>
        Add(new FaultRule(FaultKind.DowngradeLocation, method, pathRegex, times));

    /// <summary>
    /// Answers 307 to the same path on <see cref="FaultProxy.StorageHost"/> (same scheme, another port) with a
    /// signature in the query, the way registries send blob downloads to a storage server with a pre-signed URL:
    /// the storage listener serves it without the client's credentials, and records whether it got any.
    /// </summary>
    public FaultPlan RedirectToStorage(string method, string pathRegex, int times = Always) =>
        Add(new FaultRule(FaultKind.RedirectToStorage, method, pathRegex, times));

    /// <summary>
    /// A registry that takes blobs in chunks only: a monolithic upload (POST ?digest= or a PUT with a body on a
    /// session without PATCH) is refused with 413; upload sessions are answered with OCI-Chunk-Min-Length; a PATCH
    /// after a chunk shorter than the minimum (so that short one was not the last) is refused with 416.
    /// </summary>
    public FaultPlan RequireChunkedUploads(long minChunk)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minChunk);
        ChunkMinLength = minChunk;
        return this;
    }

    internal FaultRule? Match(string method, string pathAndQuery)
    {
        lock (_rules) return _rules.FirstOrDefault(r => r.TryFire(method, pathAndQuery));
    }

    private FaultPlan Add(FaultRule rule)
    {
        lock (_rules) _rules.Add(rule);
        return this;
    }
}
