using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Tar;
using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// The layers step: each planned layer is looked up in the layer cache by its fingerprint, and the ones that are not
/// there are written, concurrently, each in one streaming pass that also hashes their files for the next build.
/// </summary>
public static class LayerStackBuilder
{
    public static IReadOnlyList<BuiltLayer> Build(IReadOnlyList<LayerPlan> plans, BuildContext context)
    {
        Directory.CreateDirectory(context.Paths.Blobs);
        var built = new BuiltLayer[plans.Count];
        var ordered = new InOrderLog(context.Log, plans.Count);
        try
        {
            Parallel.For(0, plans.Count, new ParallelOptions { CancellationToken = context.Cancellation, MaxDegreeOfParallelism = Environment.ProcessorCount },
                i => built[i] = BuildOne(plans[i], plans.Count, context, message => ordered.Info(i, message)));
        }
        catch (AggregateException e) when (e.InnerException is ContainerSdkException)
        {
            throw e.InnerException!;
        }
        context.StatCache.Save();
        context.Log.Detail($"Stat cache: {context.StatCache.Hits} files unchanged, {context.StatCache.Misses} read and hashed.");
        return built;
    }

    private static BuiltLayer BuildOne(LayerPlan plan, int count, BuildContext context, Action<string> report)
    {
        var (options, cache, statCache, paths, log) = (context.Options, context.LayerCache, context.StatCache, context.Paths, context.Log);
        var clock = Stopwatch.StartNew();
        var input = plan.Input;
        string what = input.Kind == LayerKind.Base ? $"BaseLayer {input.ItemSpec}" : $"Module {input.ItemSpec} -> {input.TargetPath}";
        if (plan.Prebuilt is { } reused)
        {
            plan.Fingerprint = Convert.FromHexString(reused.Descriptor.Digest.Hex);
            report($"Layer {plan.Index + 1}/{count} {what}: reused from the image ({reused.Descriptor.Digest.ToString()[..19]}), {plan.Entries.Count} entries");
            return Built(plan, reused, plan.CreatedBy ?? $"ContainerSdk {what}") with { Origin = LayerOrigin.Reused };
        }
        var journal = new LayerJournal(paths.Journal(plan.Index, input.ItemSpec));

        foreach (var entry in plan.Entries)
            if (entry.HasData && entry.ContentHash is null && entry.Identity is { } id && entry.Content is FileContent file
                && statCache.TryGet(file.Path, id, out var known))
                entry.ContentHash = known;

        // A layer built before is probably unchanged: hash the files the stat cache cannot vouch for (new or
        // racily clean ones) and look it up. A layer never built before is written at once, hashing as it goes,
        // so a cold build reads every file once.
        byte[]? shape = null;
        LayerPrefetch? prefetch = null;
        LayerBlob? cached = null;
        try
        {
            if ((journal.Exists || context.LayerCacheIsShared) && plan.Entries.Any(e => e.HasData && e.ContentHash is null))
            {
                // A cache other machines fill may start downloading the layer last built with these headers meanwhile:
                // on a fresh runner the hashing and the download take about as long, and only the fingerprint decides.
                if (context.LayerCacheIsShared) prefetch = cache.Prefetch(shape = Shape(plan, options));
                HashContents(plan.Entries.Where(e => e.HasData && e.ContentHash is null).ToList(), plan, statCache, context.Cancellation);
            }

            // With every content hash known the fingerprint is too, and the cache may have the layer; otherwise (a first
            // build) writing the layer is what computes the missing hashes.
            if (plan.Entries.All(e => !e.HasData || e.ContentHash is not null))
            {
                plan.Fingerprint = Fingerprint(plan, options);
                cached = cache.TryGet(plan.Fingerprint, prefetch, out var problem);
                if (cached is null && problem is not null) log.Warning(Codes.CacheEntryRebuilt, $"{what}: {problem}; the layer is built again.");
            }
        }
        finally
        {
            // Whatever the lookup did not take is stopped before the layer is written: it would compete for the cores.
            prefetch?.Dispose();
        }
        bool unchanged = cached is not null;
        // A hit this project never recorded was built by another project or clone sharing ContainerCacheDirectory.
        if (cached is { Origin: null } && paths.IsShared && !journal.Records(plan))
            cached = cached with { Origin = $"the cache folder {paths.Shared}" };
        // A far cache's hit brings where its blob holds the bundle's segments: recorded now that the blob is in place here.
        if (cached?.Segments is { } segments) LayerSegments.Record(paths.LayerSegments, cached.BlobPath, segments);
        // What changed is only for a Detail line, and reading the last plan is not free: it is worked out beside the write.
        var whyRebuilt = unchanged ? null : Task.Run(() =>
        {
            try { return journal.Explain(plan); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return $"(its last plan could not be read: {e.Message})"; }
        });
        var last = new LastLayerBlob(paths.LastBlob(plan.Index, input.ItemSpec));
        int copied = 0;
        var blob = cached ?? WriteReusing(plan, context, plan.Fingerprint is null ? null : last.Load(paths), out copied);
        if (!unchanged) cache.Put(plan.Fingerprint ??= Fingerprint(plan, options), shape ?? (context.LayerCacheIsShared ? Shape(plan, options) : null), blob);
        // Unchanged means the recorded plan still stands: a no-op build writes nothing.
        if (!unchanged || !journal.Exists || cached!.Origin is not null)
        {
            whyRebuilt?.Wait(); // it reads the journal this replaces
            journal.Record(plan);
        }
        last.Record(blob.BlobPath);

        string digest = blob.Descriptor.Digest.ToString()[..19];
        if (unchanged)
        {
            report(cached!.Origin is { } origin
                ? $"Layer {plan.Index + 1}/{count} {what}: from {origin} ({digest}{(cached.Prefetched ? ", its download started before the files were hashed" : "")}), {plan.Entries.Count} entries checked in {clock.Elapsed.TotalSeconds:0.00} s"
                : $"Layer {plan.Index + 1}/{count} {what}: unchanged ({digest}{(cached.HashedAgain ? ", its blob read again: touched since it was checked" : "")}), {plan.Entries.Count} entries checked in {clock.Elapsed.TotalSeconds:0.00} s");
        }
        else
        {
            long bytesIn = plan.Entries.Where(e => e.HasData).Sum(e => e.Header.Size);
            string copies = copied > 0 ? $", {copied} of {blob.Segments?.Count} segments copied from its last blob" : "";
            report($"Layer {plan.Index + 1}/{count} {what}: built {plan.Entries.Count} entries, {Sizes.Format(bytesIn)} in, {Sizes.Format(blob.Descriptor.Size)} out ({digest}{copies}), {clock.Elapsed.TotalSeconds:0.00} s");
            log.Detail($"Layer {plan.Index + 1}/{count} {what} was rebuilt: {whyRebuilt!.GetAwaiter().GetResult()}");
        }

        return Built(plan, blob, $"ContainerSdk {what}") with { Origin = unchanged ? LayerOrigin.Cached : LayerOrigin.Built };
    }

    private static BuiltLayer Built(LayerPlan plan, LayerBlob blob, string createdBy)
    {
        var input = plan.Input;
        return new BuiltLayer
        {
            BlobPath = blob.BlobPath,
            Descriptor = blob.Descriptor,
            DiffId = blob.DiffId,
            ItemSpec = input.ItemSpec,
            Kind = input.Kind,
            Environment = input.Environment,
            ModuleFile = plan.ModuleFile,
            Version = input.Version,
            License = input.License,
            AllowedRegistries = input.AllowedRegistries,
            CreatedBy = createdBy,
            FromImage = plan.FromImage,
        };
    }

    private static byte[] Fingerprint(LayerPlan plan, LayerBuildOptions options)
    {
        using var fingerprint = LayerFingerprint.Begin(options.Compression);
        foreach (var entry in plan.Entries) fingerprint.Add(entry.Header, entry.ContentHash);
        return fingerprint.Finish();
    }

    private static byte[] Shape(LayerPlan plan, LayerBuildOptions options) =>
        LayerFingerprint.Shape(plan.Entries.Select(e => e.Header), options.Compression);

    /// <summary>
    /// Writes the layer, copying the segments its last blob holds unchanged when there is one (every content hash is
    /// known then: the fingerprint was computed and missed); a copy that fails its check writes the layer in full.
    /// </summary>
    private static LayerBlob WriteReusing(LayerPlan plan, BuildContext context, LastLayerBlob.Source? last, out int copied)
    {
        var (options, paths) = (context.Options, context.Paths);
        if (last is not null && options.Compression == LayerCompression.Gzip)
        {
            try { return Write(plan, options, paths.Blobs, context.StatCache, paths.LayerSegments, last, out copied); }
            catch (SegmentCopyException e)
            {
                context.Log.Detail($"Layer {plan.Index + 1} {plan.Input.ItemSpec}: {e.Message}; the layer is written without copies.");
            }
        }
        return Write(plan, options, paths.Blobs, context.StatCache, paths.LayerSegments, null, out copied);
    }

    /// <summary>
    /// Writes the layer's tar through the compressor, hashing each file's content on the way for the stat cache. A gzip
    /// layer is cut into the bundle's segments as it goes, and where they lie in the blob is recorded for the bundle.
    /// With <paramref name="last"/> (every content hash known), a segment that blob holds is copied, not compressed.
    /// </summary>
    private static LayerBlob Write(LayerPlan plan, LayerBuildOptions options, string blobDirectory, StatCache statCache, string segmentIndexes,
        LastLayerBlob.Source? last, out int copied)
    {
        using var writer = LayerBlobWriter.Create(blobDirectory, options.Compression);
        var cutter = writer.RecordsSegments ? new SegmentCutter() : null;
        using (var tar = new TarWriter(writer, leaveOpen: true))
        {
            foreach (var entry in plan.Entries)
            {
                if (last is null) WriteEntry(tar, entry, plan, statCache);
                if (cutter?.Add(entry) == true) EndSegment(cutter.Take());
            }
            // The end blocks in a member of their own, as in the bundle, so the last segment can serve it too.
            if (cutter?.HasEntries == true) EndSegment(cutter.Take());
            tar.Finish();

            // Without a last blob the entries were written as they came; with one, a segment it holds is copied and any
            // other is written now.
            void EndSegment(List<PlannedEntry> entries)
            {
                string name = SegmentCutter.Name(entries);
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
        var hash = ReadVerified(entry, plan, statCache, content => tar.WriteEntry(entry.Header, content));
        entry.ContentHash ??= hash;
    }

    /// <summary>
    /// Hashes the entries' content on every core: on a fresh clone (an empty stat cache) that is the whole tree, read from
    /// the page cache and bound by SHA-256 (the 1 GiB bench tree, 20,000 files: 1.25-1.35 s on one core, 0.77-0.86 s on two).
    /// </summary>
    private static void HashContents(List<PlannedEntry> entries, LayerPlan plan, StatCache statCache, CancellationToken cancel)
    {
        // Threads of their own, not the thread pool's: a prefetch's download (socket reads, its writes) runs on the pool
        // meanwhile, and Parallel.For held every pool thread until the hashing was done, the download waiting for the pool
        // to add one (bench/freshrunner, 1 GiB tree, machine under load 4-6: the module's lookup 1.98 s against 1.64 s,
        // medians of 8).
        int next = -1;
        ExceptionDispatchInfo? failed = null;
        void Work()
        {
            try
            {
                for (int i; Volatile.Read(ref failed) is null && (i = Interlocked.Increment(ref next)) < entries.Count;)
                {
                    cancel.ThrowIfCancellationRequested();
                    entries[i].ContentHash = ReadVerified(entries[i], plan, statCache, content => content.CopyTo(Stream.Null, 1 << 16));
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failed, ExceptionDispatchInfo.Capture(e), null);
            }
        }
        var helpers = Enumerable.Range(1, Math.Min(Environment.ProcessorCount, entries.Count) - 1)
            .Select(_ => new Thread(Work) { IsBackground = true, Name = "ContainerSdk hashing" }).ToList();
        helpers.ForEach(t => t.Start());
        Work();
        helpers.ForEach(t => t.Join());
        // One file's error, the first, as when they were hashed one by one.
        failed?.Throw();
    }

    /// <summary>
    /// Reads an entry's content once through <paramref name="consume"/>, hashing it; a file on disk must have
    /// the same size, mtime and ctime after the read as when it was planned, or the layer would hold torn
    /// content. The hash goes to the stat cache for the next build.
    /// </summary>
    private static byte[] ReadVerified(PlannedEntry entry, LayerPlan plan, StatCache statCache, Action<Stream> consume)
    {
        long started = StatCache.NowNs();
        using var content = entry.Content.Open();
        using var hashing = new HashingReadStream(content);
        consume(hashing);
        var hash = hashing.GetHash();
        if (entry.Content is FileContent file && entry.Identity is { } before)
        {
            var after = content is FileStream fs ? FileIdentity.Of(fs.SafeFileHandle) : null;
            if (after is null || after.Value.Size != before.Size || after.Value.MTimeNs != before.MTimeNs || after.Value.CTimeNs != before.CTimeNs)
                throw new ContainerSdkException(Codes.FileChangedWhileReading,
                    $"'{file.Path}' of '{plan.Input.ItemSpec}' changed while the build was reading it; build again once it is no longer being written.", file.Path);
            statCache.Set(file.Path, before, hash, started);
        }
        return hash;
    }
}
