using System.Diagnostics;
using ContainerSdk.Core.Acl;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Squashfs;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// Writes the flattened tree (the bundle's tree, from the same plans) as a SquashFS image that Apptainer runs as it is
/// (issue 21). SquashFS has no ACLs: each path with an access ACL gets an owner, group and mode that never grant more
/// than the ACL (<see cref="AclNarrowing"/>); under ContainerSquashfsAclPolicy=narrow the paths that lost something are
/// listed beside the image and named in one warning, under error the build fails before any block is written (and an
/// image an earlier build left is deleted: this build has none). The image
/// goes through a temporary file renamed into place, and is left as it is when the layers, epoch and options are.
/// </summary>
internal static class SquashfsImageWriter
{
    public static SquashfsResult Write(IReadOnlyList<LayerPlan> plans, SquashfsOutput output, BuildContext context)
    {
        var clock = Stopwatch.StartNew();
        var log = context.Log;
        long epoch = context.Options.Epoch;
        var state = new SquashfsState(context.Paths.SquashfsState, output);
        var key = state.Key(plans, epoch);
        if (key is not null && state.Unchanged(key) is { } unchanged)
        {
            log.Detail($"SquashFS image {output.Path}: up to date ({unchanged.Entries} entries; the layers, epoch and options are those it was made from).");
            // The image still grants less than those ACLs: a build that runs this step says so every time, as the first did.
            AclNarrowingReport.WarnUnchanged(log, unchanged.NarrowedPaths, output.Path, output.NarrowedListPath);
            return unchanged;
        }

        if (output.AclPolicy == SquashfsAclPolicy.Error && Narrowed(plans) is { Count: > 0 } refused)
        {
            // An image from an earlier build (under narrow) is not this build's output: none is, so none is left.
            state.Forget();
            if (File.Exists(output.Path)) File.Delete(output.Path);
            ThrowAtTheFirstItem(refused, plans, output);
        }

        var report = new AclNarrowingReport();
        long entries = 0;
        SquashfsSummary summary;
        using (new ProgressTicker(log, context.ProgressInterval, elapsed => $"SquashFS image {output.Path}: {Volatile.Read(ref entries)} entries added, {elapsed.TotalSeconds:0} s"))
        using (var writer = new SquashfsWriter(output.Path, Options(output, epoch)))
        {
            foreach (var planned in PlanMerge.Flatten(plans))
            {
                writer.Add(SquashfsTree.ToEntry(planned, epoch, report), context.Cancellation);
                entries++;
            }
            context.Cancellation.ThrowIfCancellationRequested();
            // The list before the image: an image in place always has its own list beside it (or, when none, no stale one).
            report.Write(output.NarrowedListPath);
            summary = writer.Commit();
        }

        var result = new SquashfsResult(output.Path, Written: true, entries, report.Count, report.Count > 0 ? output.NarrowedListPath : null);
        state.Record(key, result);
        report.Warn(log, output.NarrowedListPath);
        log.Progress($"SquashFS image {output.Path}: {entries} entries, {Sizes.Format(summary.Length)}, {output.Compression.ToString().ToLowerInvariant()}, " +
                 $"{report.Count} {(report.Count == 1 ? "path" : "paths")} narrowed, {clock.Elapsed.TotalSeconds:0.00} s");
        return result;
    }

    private static SquashfsOptions Options(SquashfsOutput output, long epoch) => new()
    {
        Compression = output.Compression switch
        {
            SquashfsImageCompression.Zstd => SquashfsCompression.Zstd,
            SquashfsImageCompression.Xz => SquashfsCompression.Xz,
            _ => SquashfsCompression.Gzip,
        },
        // SquashFS times are 32-bit; the entries' own times are checked by the writer.
        MkfsTime = (uint)Math.Clamp(epoch, 0, uint.MaxValue),
    };

    /// <summary>ContainerSquashfsAclPolicy=error: the headers alone decide, before a block is compressed.</summary>
    private static AclNarrowingReport Narrowed(IReadOnlyList<LayerPlan> plans)
    {
        var report = new AclNarrowingReport();
        foreach (var planned in PlanMerge.Flatten(plans))
            if (planned.Header.HasPaxRecords && planned.Header.Type != TarEntryType.HardLink)
                SquashfsTree.Narrow(planned.Header, TarPath.Key(TarPath.Normalize(planned.Header.Name)), report);
        return report;
    }

    /// <summary>The CSDK7011 error, about the item whose layer gives the first path; the list is written so that it can point there.</summary>
    private static void ThrowAtTheFirstItem(AclNarrowingReport report, IReadOnlyList<LayerPlan> plans, SquashfsOutput output)
    {
        report.Write(output.NarrowedListPath);
        var error = report.Error(output.NarrowedListPath);
        string first = report.Entries[0].Path.TrimStart('/');
        var layer = plans.LastOrDefault(p => p.Find(first) is not null);
        throw layer is null ? error : error.About(layer.Input.ItemType, layer.Input.ItemSpec);
    }
}
