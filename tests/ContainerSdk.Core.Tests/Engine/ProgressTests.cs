using System.Text.RegularExpressions;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Tests.Layers;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Engine;

/// <summary>
/// Progress on long work (issue 23): a layer being written says how far it is at a steady interval, while it is
/// written, not only when it ends; work shorter than the interval, and a no-op build, print nothing more.
/// </summary>
public sealed class ProgressTests
{
    /// <summary>A log that keeps every line in order and tells progress lines from the others.</summary>
    private sealed class OrderedLog : IBuildLog
    {
        public List<(string Kind, string Text)> Lines { get; } = new();
        public void Info(string message) { lock (Lines) Lines.Add(("info", message)); }
        public void Detail(string message) { }
        public void Progress(string message) { lock (Lines) Lines.Add(("progress", message)); }
        public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) { lock (Lines) Lines.Add(("warning", message)); }
        public List<(string Kind, string Text)> Snapshot() { lock (Lines) return Lines.ToList(); }
    }

    private static IReadOnlyList<LayerRequest> BigModule(TempDir dir, int mib)
    {
        // Random bytes: gzip cannot shortcut them, so the write takes long enough for several ticks of a short interval.
        var big = Path.Combine(Directory.CreateDirectory(dir.Combine("big", "data")).FullName, "blob.bin");
        var random = new Random(23);
        var chunk = new byte[1 << 20];
        using (var file = new FileStream(big, FileMode.CreateNew, FileAccess.Write))
            for (int i = 0; i < mib; i++) { random.NextBytes(chunk); file.Write(chunk); }
        return EngineRun.Validate(new[] { EngineRun.Module(dir.Combine("big"), "/opt/big") });
    }

    // About a second: 24 MiB through the compressor.
    [Trait("Category", "EndToEnd")]
    [Fact]
    internal void A_layer_being_written_reports_how_far_it_is_before_it_is_finished()
    {
        using var dir = new TempDir("progress");
        var inputs = BigModule(dir, 24);
        var log = new OrderedLog();

        ContainerEngine.BuildLayers(inputs, Array.Empty<AclFileRequest>(), new LayerBuildOptions { WorkDirectory = dir.Combine("obj") }, log,
            TestContext.Current.CancellationToken, progressInterval: TimeSpan.FromMilliseconds(5));

        var lines = log.Snapshot();
        int finished = lines.FindIndex(l => l.Text.StartsWith("Layer 1/1 Module big -> /opt/big: built ", StringComparison.Ordinal));
        Assert.True(finished >= 0, string.Join("\n", lines.Select(l => l.Text)));
        Assert.Equal("progress", lines[finished].Kind); // written work shows at the default verbosity
        // "Layer 1/1 Module big -> /opt/big: 7.0 MiB of 24.0 MiB (29 %), 3 of 4 entries, 80.2 MiB/s"
        var shape = new Regex(@"^Layer 1/1 Module big -> /opt/big: (\d+\.\d) MiB of 24\.0 MiB \((\d+) %\), \d+ of \d+ entries, [\d.]+ [KMG]?i?B/s$");
        var midway = lines.Take(finished).Where(l => l.Kind == "progress").Select(l => shape.Match(l.Text))
            .Where(m => m.Success && double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) is > 0 and < 24).ToList();
        Assert.True(midway.Count > 0, "no progress line while the layer was written:\n" + string.Join("\n", lines.Select(l => l.Text)));
        Assert.DoesNotContain(lines.Skip(finished + 1), l => l.Text.Contains(" of 24.0 MiB", StringComparison.Ordinal)); // none after its end
    }

    [Fact]
    internal void A_no_op_build_prints_nothing_at_the_default_verbosity()
    {
        using var dir = new TempDir("progress-noop");
        Tree.File(dir.Combine("mod"), "bin/tool", "#!/bin/sh\n", "755");
        var inputs = EngineRun.Validate(new[] { EngineRun.Module(dir.Combine("mod"), "/opt/tool") });
        var options = new LayerBuildOptions { WorkDirectory = dir.Combine("obj") };
        var first = new OrderedLog();
        var built = ContainerEngine.BuildLayers(inputs, Array.Empty<AclFileRequest>(), options, first, TestContext.Current.CancellationToken);
        Assert.Contains(first.Snapshot(), l => l.Kind == "progress" && l.Text.Contains(": built ", StringComparison.Ordinal));
        Assert.Equal("1 built", built.Summary);

        var again = new OrderedLog();
        var noop = ContainerEngine.BuildLayers(inputs, Array.Empty<AclFileRequest>(), options, again, TestContext.Current.CancellationToken);
        Assert.DoesNotContain(again.Snapshot(), l => l.Kind == "progress");
        Assert.Equal("1 unchanged", noop.Summary);
    }

    [Fact]
    public void Work_shorter_than_the_interval_prints_no_progress_line_and_none_comes_after_it_ends()
    {
        var log = new OrderedLog();
        using (new ProgressTicker(log, TimeSpan.FromSeconds(30), _ => "never")) { }
        int ticks = 0;
        var ticker = new ProgressTicker(log, TimeSpan.FromMilliseconds(1), _ => $"tick {Interlocked.Increment(ref ticks)}");
        SpinWait.SpinUntil(() => Volatile.Read(ref ticks) >= 3, TimeSpan.FromSeconds(10));
        ticker.Dispose();
        int after = log.Snapshot().Count;
        Thread.Sleep(50);

        Assert.True(after >= 3);
        Assert.Equal(after, log.Snapshot().Count);
        Assert.DoesNotContain(log.Snapshot(), l => l.Text == "never");
    }

    [Theory]
    [InlineData(new[] { LayerOrigin.Built, LayerOrigin.Built, LayerOrigin.Reused }, "2 built, 1 from the base image")]
    [InlineData(new[] { LayerOrigin.Unchanged, LayerOrigin.Unchanged, LayerOrigin.Unchanged, LayerOrigin.Unchanged }, "4 unchanged")]
    [InlineData(new[] { LayerOrigin.RegistryCache, LayerOrigin.Built, LayerOrigin.EarlierBuild, LayerOrigin.Unchanged }, "1 built, 1 unchanged, 1 from an earlier build, 1 from the registry cache")]
    internal void The_summary_counts_layers_by_where_they_came_from(LayerOrigin[] origins, string expected) =>
        Assert.Equal(expected, LayersResult.Summarize(origins));

    [Fact]
    internal void The_publish_summary_says_blobs_and_bytes_sent_mounted_and_already_there()
    {
        var digest = ContainerSdk.Core.Oci.Digest.Compute(new byte[] { 1 });
        Assert.Equal("3 blobs sent (60.0 MiB), 1 mounted (2.0 MiB), 1 already there (1.0 KiB)",
            new ContainerSdk.Core.Registry.PushResult(digest, 3, 1, 1, 60L << 20) { BytesMounted = 2 << 20, BytesPresent = 1024 }.Summary);
        Assert.Equal("0 blobs sent, 0 mounted, 5 already there (1.2 MiB)",
            new ContainerSdk.Core.Registry.PushResult(digest, 0, 0, 5, 0) { BytesPresent = 1258291 }.Summary);
    }
}
