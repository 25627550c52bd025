using ContainerSdk.Core.Blobs;
using System.Diagnostics;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// Writes the bundle: the flattened tree as one gzip'd tar (ACLs inside as PAX records) and its ACL dump.
/// The tar is cut into segments at content-defined entry boundaries, each compressed as its own gzip member
/// (RFC 1952 allows a file of several members; gzip, tar, Go and Python read them as one stream) and cached
/// by the digest of its entries. When one module changes, only the segments holding its entries are
/// compressed again; the others are copied as they are. Missing segments are compressed concurrently.
/// Stages: unchanged inputs? flatten and cut; unchanged segments? find each segment's source; write in passes
/// (<see cref="BundlePasses"/>); share what was compressed; record.
/// </summary>
internal static class BundleWriter
{
    /// <param name="layerBlobs">The layers' blobs: a segment that one of them holds (<see cref="Cache.LayerSegments"/>) is copied out of it, not compressed.</param>
    public static void Write(IReadOnlyList<LayerPlan> plans, BundleOutput output, BuildContext context, IReadOnlyList<string>? layerBlobs = null)
    {
        var (epoch, log, paths) = (context.Options.Epoch, context.Log, context.Paths);
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(paths.BundleSegments);
        var state = new BundleState(paths, output);

        // The layers' fingerprints cover every byte the bundle is made of: when they, the epoch and the two
        // output files are as the last bundle left them, there is nothing to flatten, hash or write.
        if (state.InputsUnchanged(plans, epoch))
        {
            log.Info($"Bundle {output.BundlePath}: unchanged, {clock.Elapsed.TotalSeconds:0.00} s");
            return;
        }

        using var acls = new BundleAclDump(output.AclPath);
        var (segments, entries) = Flatten(plans, epoch, acls, paths.BundleSegments, context.Options.CompressionLevel);
        // Nothing to do when the same segments already make up the bundle and its dump, untouched since.
        if (state.SegmentsUnchanged(segments))
        {
            acls.Dispose();
            state.RecordInputs(plans, epoch);
            log.Info($"Bundle {output.BundlePath}: unchanged ({segments.Count} segments), {clock.Elapsed.TotalSeconds:0.00} s");
            return;
        }

        var flattened = clock.Elapsed;
        var sources = SegmentSources.Find(segments, context, layerBlobs ?? Array.Empty<string>());
        var passes = new BundlePasses(segments, sources, output, acls, log, paths.BundleSegments);
        using (new ProgressTicker(log, context.ProgressInterval, elapsed =>
        {
            var (compressed, appended) = passes.Done;
            return $"Bundle {output.BundlePath}: {compressed} of {sources.ToCompress.Count} segments compressed, {appended} of {segments.Count} written, {elapsed.TotalSeconds:0} s";
        }))
            passes.Run(flattened, clock);
        // What this build had to compress, for the next machine (a failure is a warning, once).
        if (context.SegmentStore is { } store) new FarSegments(store).Put(segments.Where(s => s.Written is not null).ToList());
        state.RecordSegments(segments);
        state.RecordInputs(plans, epoch);
        // Segments no longer used are this project's to delete only in its own work folder: in a shared
        // ContainerCacheDirectory another project's bundle may be using (or just writing) them.
        if (!paths.IsShared) DeleteUnused(segments, paths.BundleSegments);

        log.Progress($"Bundle {output.BundlePath}: {entries} entries from {plans.Count} layers, {sources.Reused} of {segments.Count} segments reused, {sources.InLayers} copied from the layers, " +
                 (context.SegmentStore is null ? "" : $"{sources.Fetched} from the registry cache, ") + $"{Sizes.Format(new FileInfo(output.BundlePath).Length)}, {acls.Count} {(acls.Count == 1 ? "path" : "paths")} with ACLs in {output.AclPath}, {clock.Elapsed.TotalSeconds:0.00} s");
    }

    /// <summary>The flattened tree, every entry at the epoch, cut into segments as it streams past; the ACL dump gets each entry too.</summary>
    /// <param name="level">ContainerLayerCompressionLevel, as the layers were written: a segment copied out of a layer and one compressed here are the same bytes.</param>
    private static (List<BundleSegment> Segments, long Entries) Flatten(IReadOnlyList<LayerPlan> plans, long epoch, BundleAclDump acls, string segmentDirectory,
        LayerCompressionLevel level)
    {
        var segments = new List<BundleSegment>();
        var cutter = new SegmentCutter();
        long entries = 0;
        foreach (var entry in PlanMerge.Flatten(plans))
        {
            var header = entry.Header.ModificationTime == epoch ? entry.Header : WithTime(entry.Header, epoch);
            var planned = ReferenceEquals(header, entry.Header) ? entry : new PlannedEntry(header, entry.Content) { ContentHash = entry.ContentHash };
            acls.Add(header);
            entries++;
            if (cutter.Add(planned)) segments.Add(new BundleSegment(cutter.Take(), segmentDirectory, level));
        }
        if (cutter.HasEntries) segments.Add(new BundleSegment(cutter.Take(), segmentDirectory, level));
        return (segments, entries);
    }

    private static TarHeader WithTime(TarHeader header, long epoch)
    {
        var copy = header.Clone();
        copy.ModificationTime = epoch;
        return copy;
    }

    private static void DeleteUnused(IReadOnlyList<BundleSegment> segments, string segmentDirectory)
    {
        var used = segments.SelectMany(s => new[] { s.Path, SegmentSum.PathOf(s.Path) }).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in Directory.EnumerateFiles(segmentDirectory).Where(f => !used.Contains(f)))
            File.Delete(stale);
    }
}

/// <summary>Where the bundle and its ACL dump go.</summary>
internal sealed record BundleOutput(string BundlePath, string AclPath);
