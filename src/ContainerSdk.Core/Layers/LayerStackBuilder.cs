using System.Diagnostics;
using ContainerSdk.Core.Build;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// Builds one layer per base and module. Plans every layer first (headers only), because what a layer
/// holds depends on the layers around it: owner names resolve against the composed /etc/passwd, parent
/// directories of a TargetPath copy the owner and mode the layers below give them. Then the layers are
/// written, concurrently, each in one streaming pass.
/// </summary>
public static class LayerStackBuilder
{
    public static IReadOnlyList<BuiltLayer> Build(IReadOnlyList<LayerInput> layers, IReadOnlyList<AclFileInput> aclFiles,
        LayerBuildOptions options, IBuildLog log, CancellationToken cancellationToken)
    {
        if (layers.Count == 0)
            throw new ContainerSdkException(Codes.NoLayers, "The project has no BaseLayer or Module items: an image needs at least one layer.");

        string spoolDirectory = Path.Combine(options.WorkDirectory, "spool");
        string blobDirectory = Path.Combine(options.WorkDirectory, "blobs", "sha256");
        Directory.CreateDirectory(blobDirectory);

        try
        {
            var plans = new List<LayerPlan>();
            foreach (var input in layers)
            {
                cancellationToken.ThrowIfCancellationRequested();
                plans.Add(LayerPlanner.Plan(input, plans, options, spoolDirectory, log));
            }
            AclPlacement.Apply(aclFiles, plans);

            var built = new BuiltLayer[plans.Count];
            var ordered = new InOrderLog(log, plans.Count);
            Parallel.For(0, plans.Count, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount },
                i => built[i] = Write(plans[i], plans.Count, options, blobDirectory, message => ordered.Info(i, message)));
            return built;
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1 && e.InnerException is ContainerSdkException)
        {
            throw e.InnerException!;
        }
        finally
        {
            // Spooled tarballs are only needed while layers are written.
            if (Directory.Exists(spoolDirectory)) Directory.Delete(spoolDirectory, recursive: true);
        }
    }

    private static BuiltLayer Write(LayerPlan plan, int count, LayerBuildOptions options, string blobDirectory, Action<string> report)
    {
        var clock = Stopwatch.StartNew();
        long contentBytes = 0;
        LayerBlob blob;
        using (var writer = LayerBlobWriter.Create(blobDirectory, options.Compression))
        {
            using (var tar = new TarWriter(writer, leaveOpen: true))
            {
                foreach (var entry in plan.Entries)
                {
                    if (entry.Header.Type == TarEntryType.Regular && entry.Header.Size > 0)
                    {
                        using var content = entry.Content.Open();
                        tar.WriteEntry(entry.Header, content);
                        contentBytes += entry.Header.Size;
                    }
                    else
                    {
                        tar.WriteEntry(entry.Header);
                    }
                }
                tar.Finish();
            }
            blob = writer.Complete();
        }

        var input = plan.Input;
        string what = input.Kind == LayerKind.Base ? $"BaseLayer {input.ItemSpec}" : $"Module {input.ItemSpec} -> {input.TargetPath}";
        report($"Layer {plan.Index + 1}/{count} {what}: {plan.Entries.Count} entries, {Size(contentBytes)} in, {Size(blob.Descriptor.Size)} out, " +
                 $"{blob.Descriptor.Digest.ToString()[..19]}, {clock.Elapsed.TotalSeconds:0.00} s");

        return new BuiltLayer
        {
            BlobPath = blob.BlobPath,
            Descriptor = blob.Descriptor,
            DiffId = blob.DiffId,
            ItemSpec = input.ItemSpec,
            Kind = input.Kind,
            Environment = input.Environment,
            Version = input.Version,
            License = input.License,
            CreatedBy = $"ContainerSdk {what}",
        };
    }

    internal static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.0} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB",
    };
}
