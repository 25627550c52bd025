using System.Diagnostics;
using System.Runtime.ExceptionServices;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Inputs;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// The layers step: each planned layer is looked up in the layer cache by its key, and the ones that are not
/// there are written, concurrently, each in one streaming pass that also hashes their files for the next build.
/// One layer goes through three stages: look up (hash, a far cache's prefetch, fingerprint), write, record.
/// </summary>
internal static class LayerStackBuilder
{
    public static IReadOnlyList<BuiltLayer> Build(IReadOnlyList<LayerPlan> plans, BuildContext context)
    {
        Directory.CreateDirectory(context.Paths.Blobs);
        var built = new BuiltLayer[plans.Count];
        var ordered = new InOrderLog(context.Log, plans.Count);
        var runs = Runs(plans);
        try
        {
            Parallel.For(0, runs.Count, new ParallelOptions { CancellationToken = context.Cancellation, MaxDegreeOfParallelism = Environment.ProcessorCount },
                r => BuildRun(runs[r], plans, built, context, ordered));
        }
        catch (AggregateException e) when (e.InnerException is ContainerSdkException)
        {
            throw e.InnerException!;
        }
        context.StatCache.Save();
        context.Log.Detail($"Stat cache: {context.StatCache.Hits} files unchanged, {context.StatCache.Misses} read and hashed.");
        return built;
    }

    /// <summary>
    /// The layers in the order they are built: each layer on its own, concurrently with the others, but the parts of a
    /// split module one after another (each overlapping only the tail of the one before it: <see cref="BuildRun"/>). A
    /// part is as large as a module, and each compresses on every core already: two at once held two layers' buffers and
    /// streams for nothing (bench/README.md, "Split modules": peak RSS 387-415 MiB against 303-315 MiB unsplit, 1.05x the CPU).
    /// </summary>
    private static List<List<int>> Runs(IReadOnlyList<LayerPlan> plans)
    {
        var runs = new List<List<int>>();
        for (int i = 0; i < plans.Count; i++)
        {
            if (plans[i].Part > 1 && runs.Count > 0) runs[^1].Add(i);
            else runs.Add(new List<int> { i });
        }
        return runs;
    }

    /// <summary>
    /// A run's layers: one after another, but each part starts as soon as the part before it has handed its last tar
    /// byte to the compressor, not once that part's last members are compressed and its blob synced. Else, at each of
    /// a split module's part ends one core sat idle while the other compressed the last chunk (bench/README.md, "Split
    /// modules"). Only one part reads files at a time, and the chunks in flight are bounded for the process, so the
    /// overlap adds a chunk and a part's open files, not a layer's buffers.
    /// </summary>
    private static void BuildRun(List<int> run, IReadOnlyList<LayerPlan> plans, BuiltLayer[] built, BuildContext context, InOrderLog ordered)
    {
        if (run.Count == 1)
        {
            int only = run[0];
            built[only] = BuildOne(plans[only], plans.Count, context, (message, worked) => ordered.Info(only, message, worked));
            return;
        }
        var parts = new List<Task>(run.Count);
        Task previous = Task.CompletedTask;
        foreach (int i in run)
        {
            var filled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            // A thread of its own: the part blocks on file reads and on compression slots for seconds.
            parts.Add(previous.ContinueWith(_ =>
            {
                try { built[i] = BuildOne(plans[i], plans.Count, context, (message, worked) => ordered.Info(i, message, worked), () => filled.TrySetResult()); }
                catch
                {
                    filled.TrySetCanceled(); // the parts after it are not started
                    throw;
                }
                filled.TrySetResult(); // a layer the cache had, or one written before
            }, context.Cancellation, TaskContinuationOptions.LongRunning | TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default));
            previous = filled.Task;
        }
        try { Task.WaitAll(parts.ToArray()); }
        catch (AggregateException e)
        {
            // As a layer's own failure: the first part's that failed, a coded error before anything else.
            var failures = e.Flatten().InnerExceptions;
            ExceptionDispatchInfo.Throw(failures.FirstOrDefault(f => f is ContainerSdkException) ?? failures.FirstOrDefault(f => f is not TaskCanceledException) ?? failures[0]);
        }
    }

    private static BuiltLayer BuildOne(LayerPlan plan, int count, BuildContext context, Action<string, bool> report, Action? filled = null)
    {
        var clock = Stopwatch.StartNew();
        var input = plan.Input;
        string what = input.Kind == LayerKind.Base ? $"BaseLayer {input.ItemSpec}" : $"Module {input.ItemSpec} -> {input.TargetPath}";
        if (plan.Parts > 1) what += $" (part {plan.Part}/{plan.Parts})";
        var layer = new Position(plan, count, what, context, clock, report) { Filled = filled };
        if (plan.Prebuilt is { } reused)
        {
            plan.Fingerprint = Convert.FromHexString(reused.Descriptor.Digest.Hex);
            report($"{layer.Title}: reused from the image ({reused.Descriptor.Digest.ToString()[..19]}), {plan.Entries.Count} entries", false);
            return Built(plan, reused, plan.CreatedBy ?? $"ContainerSdk {what}") with { Origin = LayerOrigin.Reused };
        }

        var (key, asked, cached) = LookUp(plan, layer.Journal.Exists, context, what, layer.Title);
        return cached is not null ? Taken(layer, cached) : Written(layer, key, asked);
    }

    /// <summary>One layer position as it goes through the stages: where it is recorded, and what its lines say.</summary>
    private sealed record Position(LayerPlan Plan, int Count, string What, BuildContext Context, Stopwatch Clock, Action<string, bool> Report)
    {
        public LayerJournal Journal { get; } = new(Context.Paths.Journal(Plan.Index, Plan.Input.ItemSpec));
        public LastLayerBlob Last { get; } = new(Context.Paths.LastBlob(Plan.Index, Plan.Input.ItemSpec));
        public string Title => $"Layer {Plan.Index + 1}/{Count} {What}";

        /// <summary>Called once the layer's tar is with the compressor (a written layer), for the next part of its module.</summary>
        public Action? Filled { get; init; }
    }

    /// <summary>
    /// Look up: a layer built before is probably unchanged, so the files the stat cache cannot vouch for (new or racily
    /// clean ones) are hashed and the cache is asked (a far cache prefetching by shape meanwhile). A layer never built
    /// before is written at once, hashing as it goes, so a cold build reads every file once, unless a cache other
    /// machines or projects fill may have it. Sets the plan's fingerprint when it asked.
    /// </summary>
    private static (LayerKey Key, bool Asked, LayerBlob? Cached) LookUp(LayerPlan plan, bool builtBefore, BuildContext context, string what, string title)
    {
        var key = LayerKeys.For(plan, context, title);
        if (key.ReadsFiles && !builtBefore && !context.LayerCacheIsShared) return (key, false, null);
        var found = context.LayerCache.TryGet(key);
        plan.Fingerprint = key.Fingerprint;
        if (found is { Blob: null, Problem: { } problem }) context.Log.Warning(Codes.CacheEntryRebuilt, $"{what}: {problem}; the layer is built again.");
        return (key, true, found.Blob);
    }

    /// <summary>Record, for a layer the cache had: the journal only where its plan was not recorded here as it is.</summary>
    private static BuiltLayer Taken(Position layer, LayerBlob cached)
    {
        var (plan, paths) = (layer.Plan, layer.Context.Paths);
        // A far cache names itself; a hit this project never recorded was built by another project or clone sharing ContainerCacheDirectory.
        var origin = cached.Origin is not null ? LayerOrigin.RegistryCache : LayerOrigin.Unchanged;
        if (cached.Origin is null && paths.IsShared && !layer.Journal.Records(plan))
            (cached, origin) = (cached with { Origin = $"the cache folder {paths.Shared}" }, LayerOrigin.EarlierBuild);
        // A far cache's hit brings where its blob holds the bundle's segments: recorded now that the blob is in place here.
        if (cached.Segments is { } segments) LayerSegments.Record(paths.LayerSegments, cached.BlobPath, segments);
        // Unchanged means the recorded plan still stands: a no-op build writes nothing.
        if (!layer.Journal.Exists || cached.Origin is not null) layer.Journal.Record(plan);
        // A blob left in the registry is no segment source for the next write here.
        if (cached.Remote is null) layer.Last.Record(cached.BlobPath);

        string digest = cached.Descriptor.Digest.ToString()[..19];
        layer.Report(cached.Origin is { } from
            ? $"{layer.Title}: from {from} ({digest}{(cached.Prefetched ? ", its download started before the files were hashed" : "")}{(cached.Remote is not null ? ", left there: nothing here needs its bytes" : "")}), {plan.Entries.Count} entries checked in {layer.Clock.Elapsed.TotalSeconds:0.00} s"
            : $"{layer.Title}: unchanged ({digest}{(cached.HashedAgain ? ", its blob read again: touched since it was checked" : "")}), {plan.Entries.Count} entries checked in {layer.Clock.Elapsed.TotalSeconds:0.00} s",
            cached.Origin is not null);
        return Built(plan, cached, $"ContainerSdk {layer.What}") with { Origin = origin };
    }

    /// <summary>
    /// Write, then record, for a layer the cache did not have. When the cache was asked (every content hash known), the
    /// segments the position's last blob holds unchanged are copied out of it.
    /// </summary>
    private static BuiltLayer Written(Position layer, LayerKey key, bool asked)
    {
        var (plan, context) = (layer.Plan, layer.Context);
        // What changed is only for a Detail line, and reading the last plan is not free: it is worked out beside the write.
        var whyRebuilt = Task.Run(() =>
        {
            try { return layer.Journal.Explain(plan); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return $"(its last plan could not be read: {e.Message})"; }
        });
        var blob = LayerWriter.Write(plan, context, asked ? layer.Last.Load(context.Paths) : null, layer.Title, out int copied, layer.Filled);
        context.LayerCache.Put(key, blob);
        plan.Fingerprint = key.Fingerprint;
        whyRebuilt.Wait(); // it reads the journal this replaces
        layer.Journal.Record(plan);
        layer.Last.Record(blob.BlobPath);

        long bytesIn = plan.Entries.Where(e => e.HasData).Sum(e => e.Header.Size);
        string copies = copied > 0 ? $", {copied} of {blob.Segments?.Count} segments copied from its last blob" : "";
        layer.Report($"{layer.Title}: built {plan.Entries.Count} entries, {Sizes.Format(bytesIn)} in, {Sizes.Format(blob.Descriptor.Size)} out ({blob.Descriptor.Digest.ToString()[..19]}{copies}), {layer.Clock.Elapsed.TotalSeconds:0.00} s", true);
        context.Log.Detail($"{layer.Title} was rebuilt: {whyRebuilt.GetAwaiter().GetResult()}");
        return Built(plan, blob, $"ContainerSdk {layer.What}") with { Origin = LayerOrigin.Built };
    }

    private static BuiltLayer Built(LayerPlan plan, LayerBlob blob, string createdBy)
    {
        var input = plan.Input;
        return new BuiltLayer
        {
            BlobPath = blob.BlobPath,
            Remote = blob.Remote,
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
            Part = plan.Part,
            Parts = plan.Parts,
            TargetPath = input.TargetPath,
            SourcePath = input.SourcePath,
            SourceSha256 = plan.SourceSha256,
        };
    }
}
