using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// The write stage of a layer the cache did not have: its tar streamed through the compressor in one pass, each file
/// hashed on the way for the stat cache (and so for the fingerprint of a layer never built before). A gzip layer is cut
/// into the bundle's segments as it goes; where they lie in the blob is recorded for the bundle.
/// </summary>
internal static class LayerWriter
{
    /// <summary>
    /// Writes the layer, copying the segments its last blob holds unchanged when there is one (every content hash is
    /// known then: the fingerprint was computed and missed); a copy that fails its check writes the layer in full.
    /// </summary>
    /// <param name="title">How the layer's lines name it: a progress line every <see cref="BuildContext.ProgressInterval"/> while it is written.</param>
    /// <param name="filled">Called once every tar byte is with the compressor, before its last members are compressed and
    /// the blob is written out and synced: the next part of a split module may start reading its files then.</param>
    public static LayerBlob Write(LayerPlan plan, BuildContext context, LastLayerBlob.Source? last, string title, out int copied, Action? filled = null)
    {
        var (options, paths) = (context.Options, context.Paths);
        var progress = new LayerProgress(plan);
        using var ticker = new ProgressTicker(context.Log, context.ProgressInterval, progress.Line(title));
        if (last is not null && options.Compression == LayerCompression.Gzip)
        {
            try { return Write(plan, options, paths.Blobs, context.StatCache, paths.LayerSegments, last, progress, filled, out copied); }
            catch (SegmentCopyException e)
            {
                context.Log.Detail($"Layer {plan.Index + 1} {plan.Input.ItemSpec}: {e.Message}; the layer is written without copies.");
            }
        }
        return Write(plan, options, paths.Blobs, context.StatCache, paths.LayerSegments, null, progress, filled, out copied);
    }

    /// <summary>
    /// How far a layer's write is, as its progress line reads it: the tar bytes the blob writer took (its own counter)
    /// against the tar's size worked out from the plan (headers, data, padding; PAX records make it an estimate), and
    /// the entries passed. Only the ticker's thread reads it; the writer sets two fields.
    /// </summary>
    private sealed class LayerProgress(LayerPlan plan)
    {
        private readonly long _total = plan.Entries.Sum(e => 512 + (e.HasData ? (e.Header.Size + 511) / 512 * 512 : 0)) + 1024;
        public volatile LayerBlobWriter? Writer;
        public int Entries;

        public Func<TimeSpan, string?> Line(string title) => elapsed =>
        {
            if (Writer is not { } writer) return null;
            long bytes = writer.TarBytes;
            return $"{title}: {Sizes.Format(bytes)} of {Sizes.Format(_total)} ({ProgressTicker.Percent(bytes, _total)} %), " +
                   $"{Volatile.Read(ref Entries)} of {plan.Entries.Count} entries, {ProgressTicker.Rate(bytes, elapsed)}";
        };
    }

    /// <summary>
    /// Writes the layer's tar through the compressor, hashing each file's content on the way for the stat cache. A gzip
    /// layer is cut into the bundle's segments as it goes, and where they lie in the blob is recorded for the bundle.
    /// With <paramref name="last"/> (every content hash known), a segment that blob holds is copied, not compressed.
    /// </summary>
    private static LayerBlob Write(LayerPlan plan, LayerBuildOptions options, string blobDirectory, StatCache statCache, string segmentIndexes,
        LastLayerBlob.Source? last, LayerProgress progress, Action? filled, out int copied)
    {
        using var writer = LayerBlobWriter.Create(blobDirectory, options.Compression, options.CompressionLevel);
        progress.Writer = writer;
        progress.Entries = 0;
        var cutter = writer.RecordsSegments ? new SegmentCutter() : null;
        using (var tar = new TarWriter(writer, leaveOpen: true))
        {
            for (int i = 0; i < plan.Entries.Count; i++)
            {
                var entry = plan.Entries[i];
                if (last is null) WriteEntry(tar, entry, plan, statCache);
                // A part's leading parent folders are a segment of their own: the next one starts where the bundle's does.
                if (cutter?.Add(entry) == true || (cutter is not null && i == plan.LeadingParents - 1)) EndSegment(cutter.Take());
                progress.Entries++;
            }
            // The end blocks in a member of their own, as in the bundle, so the last segment can serve it too.
            if (cutter?.HasEntries == true) EndSegment(cutter.Take());
            tar.Finish();

            // Without a last blob the entries were written as they came; with one, a segment it holds is copied and any
            // other is written now.
            void EndSegment(List<PlannedEntry> entries)
            {
                string name = SegmentCutter.Name(entries, options.CompressionLevel);
                if (last is not null && last.Segments.TryGetValue(name, out var held))
                {
                    writer.CopySegment(name, last.Blob, held, last.Trusted);
                    return;
                }
                if (last is not null)
                    foreach (var entry in entries) WriteEntry(tar, entry, plan, statCache);
                writer.EndSegment(name);
            }
        }
        filled?.Invoke();
        var blob = writer.Complete();
        copied = writer.CopiedSegments;
        if (!writer.RecordsSegments) return blob;
        LayerSegments.Record(segmentIndexes, blob.BlobPath, writer.Segments);
        return blob with { Segments = writer.Segments }; // for a far cache: a fresh machine copies the bundle out of it too
    }

    private static void WriteEntry(TarWriter tar, PlannedEntry entry, LayerPlan plan, StatCache statCache)
    {
        if (!entry.HasData)
        {
            tar.WriteEntry(entry.Header);
            return;
        }
        var hash = LayerFiles.ReadVerified(entry, plan, statCache, content => tar.WriteEntry(entry.Header, content));
        entry.ContentHash ??= hash;
    }
}
