using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace ContainerSdk.Tests.Registry;

/// <summary>
/// The rules of a registry that takes blobs in chunks of at least a minimum size (see
/// <see cref="FaultPlan.RequireChunkedUploads"/>). It only sees requests one at a time, so "smaller than the minimum
/// except the last" is checked when the next chunk comes: a chunk after a short one is refused.
/// </summary>
internal sealed partial class ChunkedUploadPolicy(long minChunk)
{
    private readonly ConcurrentDictionary<string, Session> _sessions = new();

    public long MinChunk => minChunk;

    [GeneratedRegex("^/v2/.+/blobs/uploads/?$")]
    private static partial Regex StartPath();

    [GeneratedRegex("^/v2/.+/blobs/uploads/[^/]+$")]
    private static partial Regex SessionPath();

    /// <summary>Whether the response to this request should carry OCI-Chunk-Min-Length (a new upload session).</summary>
    public static bool StartsSession(HttpRequestHead request) => request.Method == "POST" && StartPath().IsMatch(request.Path);

    /// <summary>The status that refuses the request, or null when it may go upstream.</summary>
    public int? Refusal(HttpRequestHead request)
    {
        var monolithicPost = StartsSession(request) && request.Target.Contains("digest=", StringComparison.Ordinal) && request.HasBody;
        if (monolithicPost) return 413;
        if (!SessionPath().IsMatch(request.Path)) return null;
        var session = _sessions.GetOrAdd(request.Path, _ => new Session());
        return request.Method switch
        {
            "PUT" when request.HasBody && !session.Patched => 413,
            "PATCH" when session.LastChunkShort => 416,
            _ => null,
        };
    }

    /// <summary>Records a chunk that went upstream.</summary>
    public void Chunked(HttpRequestHead request, long bytes)
    {
        if (request.Method != "PATCH" || !SessionPath().IsMatch(request.Path)) return;
        var session = _sessions.GetOrAdd(request.Path, _ => new Session());
        session.Patched = true;
        session.LastChunkShort = bytes < minChunk;
    }

    private sealed class Session
    {
        public volatile bool Patched;
        public volatile bool LastChunkShort;
    }
}
