using System.Diagnostics;
using System.IO.Compression;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// The bundle written from its segments in passes. The first compresses the segments no cache holds, then appends every
/// segment to the bundle from where it is. A second runs only when a segment (cached, or in a layer blob) turned out
/// damaged as it was copied: those are compressed again and the bundle rewritten. The pass that wrote every segment
/// whole commits the bundle and its ACL dump; a second pass that does not is a failing disk.
/// </summary>
internal sealed class BundlePasses(IReadOnlyList<BundleSegment> segments, SegmentSources sources, BundleOutput output, BundleAclDump acls, IBuildLog log, string segmentDirectory)
{
    private int _compressed, _appended;

    /// <summary>How far the passes are, for a progress line read on another thread: segments compressed, then appended to the bundle.</summary>
    public (int Compressed, int Appended) Done => (Volatile.Read(ref _compressed), Volatile.Read(ref _appended));

    /// <param name="flattened">How long flattening and keying took, for the Detail line.</param>
    public void Run(TimeSpan flattened, Stopwatch clock)
    {
        var damaged = Pass(sources.ToCompress, first: true, flattened, clock);
        if (damaged.Count == 0) return;
        log.Warning(Codes.CacheEntryRebuilt, $"{damaged.Count} bundle segment(s) cached in {segmentDirectory} or held by layer blobs were damaged (their bytes no longer match their digest); they are compressed again.");
        if (Pass(damaged, first: false, flattened, clock).Count > 0)
            throw new ContainerSdkException(Codes.OutputWriteFailed, $"Bundle segments written to {segmentDirectory} do not read back as written: the disk may be failing.");
    }

    /// <summary>Compresses <paramref name="compress"/>, writes the bundle, and commits it unless a segment was damaged (those are returned).</summary>
    private List<BundleSegment> Pass(IReadOnlyList<BundleSegment> compress, bool first, TimeSpan flattened, Stopwatch clock)
    {
        var compressing = clock.Elapsed;
        Parallel.ForEach(compress, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, s =>
        {
            s.Compress();
            Interlocked.Increment(ref _compressed);
        });
        log.Detail($"Bundle: flattened and keyed {segments.Count} segments in {flattened.TotalSeconds:0.00} s, copied {sources.InLayers} out of layer blobs, compressed {compress.Count} in {(clock.Elapsed - compressing).TotalSeconds:0.00} s.");
        var damaged = new List<BundleSegment>();
        using var bundle = new TempFile(output.BundlePath);
        using (var file = bundle.Create())
        {
            foreach (var segment in segments)
            {
                Interlocked.Increment(ref _appended);
                if (sources.CopyTo(segment, file)) continue;
                damaged.Add(segment);
                if (first) sources.Damaged(segment);
            }
            file.Write(EndOfArchive.Value);
        }
        if (damaged.Count > 0) return damaged;
        acls.Commit();
        bundle.Commit();
        return damaged;
    }

    /// <summary>The two zero blocks that end a tar, as their own gzip member.</summary>
    private static readonly Lazy<byte[]> EndOfArchive = new(() =>
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(new byte[1024]);
        return buffer.ToArray();
    });
}
