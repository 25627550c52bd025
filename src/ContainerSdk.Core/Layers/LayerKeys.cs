using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Inputs;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// A planned layer's key for the layer caches: the content hashes the stat cache vouches for are taken at once; the
/// other files are read and hashed (<see cref="LayerFiles.HashAll"/>) when a cache first asks for the fingerprint, or
/// not at all when the write has hashed them by then. The shape needs the headers alone.
/// </summary>
internal static class LayerKeys
{
    /// <param name="title">How the layer's lines name it: hashing that takes longer than <see cref="BuildContext.ProgressInterval"/> says how far it is.</param>
    public static LayerKey For(LayerPlan plan, BuildContext context, string? title = null)
    {
        var (options, statCache) = (context.Options, context.StatCache);
        foreach (var entry in plan.Entries)
            if (entry.HasData && entry.ContentHash is null && entry.Identity is { } id && entry.Content is FileContent file
                && statCache.TryGet(file.Path, id, out var known))
                entry.ContentHash = known;

        return new LayerKey(() =>
        {
            var unknown = plan.Entries.Where(Unhashed).ToList();
            if (unknown.Count == 0) return Fingerprint(plan, options);
            long total = unknown.Sum(e => e.Header.Size);
            // The files hashed so far, counted from the hashes set (a read of a reference per file, every few seconds).
            using (new ProgressTicker(context.Log, context.ProgressInterval, elapsed =>
                   {
                       var done = unknown.Where(e => e.ContentHash is not null).ToList();
                       long bytes = done.Sum(e => e.Header.Size);
                       return $"{title ?? $"Layer {plan.Index + 1} {plan.Input.ItemSpec}"}: checking its files, {done.Count} of {unknown.Count} hashed, " +
                              $"{Sizes.Format(bytes)} of {Sizes.Format(total)} ({ProgressTicker.Percent(bytes, total)} %), {ProgressTicker.Rate(bytes, elapsed)}";
                   }))
                LayerFiles.HashAll(unknown, plan, statCache, context.Cancellation);
            return Fingerprint(plan, options);
        }, () => LayerFingerprint.Shape(plan.Entries.Select(e => e.Header), options.Compression, options.CompressionLevel), readsFiles: plan.Entries.Any(Unhashed));
    }

    /// <summary>A file whose content hash the stat cache could not vouch for: it is read before the fingerprint is known.</summary>
    private static bool Unhashed(PlannedEntry entry) => entry.HasData && entry.ContentHash is null;

    private static byte[] Fingerprint(LayerPlan plan, LayerBuildOptions options)
    {
        using var fingerprint = LayerFingerprint.Begin(options.Compression, options.CompressionLevel);
        foreach (var entry in plan.Entries) fingerprint.Add(entry.Header, entry.ContentHash);
        return fingerprint.Finish();
    }
}
