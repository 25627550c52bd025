using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Tar;
using ContainerSdk.Core.Blobs;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// Writes the bundle: the flattened tree as one gzip'd tar (ACLs inside as PAX records) and its ACL dump.
/// The tar is cut into segments at content-defined entry boundaries, each compressed as its own gzip member
/// (RFC 1952 allows a file of several members; gzip, tar, Go and Python read them as one stream) and cached
/// by the digest of its entries. When one module changes, only the segments holding its entries are
/// compressed again; the others are copied as they are. Missing segments are compressed concurrently.
/// </summary>
public static class BundleWriter
{
    private const string FormatVersion = SegmentCutter.FormatVersion;
    // Requests to the far store at once: segments are small, so round trips, not bytes, are what overlapping saves.
    private const int FarStoreRequests = 4;

    /// <param name="layerBlobs">The layers' blobs: a segment that one of them holds (<see cref="LayerSegments"/>) is copied out of it, not compressed.</param>
    public static void Write(IReadOnlyList<LayerPlan> plans, BundleOutput output, BuildContext context, IReadOnlyList<string>? layerBlobs = null)
    {
        var (epoch, log, paths) = (context.Options.Epoch, context.Log, context.Paths);
        var clock = Stopwatch.StartNew();
        string segmentDirectory = paths.BundleSegments;
        Directory.CreateDirectory(segmentDirectory);

        // The layers' fingerprints cover every byte the bundle is made of: when they, the epoch and the two
        // output files are as the last bundle left them, there is nothing to flatten, hash or write.
        string inputsState = paths.BundleInputs;
        string inputsNow = InputsKey(plans, epoch) + "\n" + FileIdentity.StampOf(output.BundlePath) + "\n" + FileIdentity.StampOf(output.AclPath);
        if (plans.All(p => p.Fingerprint is not null) && File.Exists(inputsState) && File.ReadAllText(inputsState) == inputsNow)
        {
            log.Info($"Bundle {output.BundlePath}: unchanged, {clock.Elapsed.TotalSeconds:0.00} s");
            return;
        }

        using var acls = new BundleAclDump(output.AclPath);
        var segments = new List<Segment>();
        var cutter = new SegmentCutter();
        long entries = 0;
        foreach (var entry in PlanMerge.Flatten(plans))
        {
            var header = entry.Header.ModificationTime == epoch ? entry.Header : WithTime(entry.Header, epoch);
            var planned = ReferenceEquals(header, entry.Header) ? entry : new PlannedEntry(header, entry.Content) { ContentHash = entry.ContentHash };
            acls.Add(header);
            entries++;
            if (cutter.Add(planned)) segments.Add(new Segment(cutter.Take(), segmentDirectory));
        }
        if (cutter.HasEntries) segments.Add(new Segment(cutter.Take(), segmentDirectory));

        // Nothing to do when the same segments already make up the bundle and its dump, untouched since.
        string state = paths.BundleState;
        string stateNow = string.Join("\n", segments.Select(s => System.IO.Path.GetFileName(s.Path)));
        if (File.Exists(state) && File.ReadAllText(state) == stateNow + "\n" + FileIdentity.StampOf(output.BundlePath) + "\n" + FileIdentity.StampOf(output.AclPath))
        {
            acls.Dispose();
            RecordInputs(inputsState, plans, epoch, output);
            log.Info($"Bundle {output.BundlePath}: unchanged ({segments.Count} segments), {clock.Elapsed.TotalSeconds:0.00} s");
            return;
        }

        var flattened = clock.Elapsed;
        var missing = segments.Where(s => !SegmentSum.IsRecorded(s.Path)).ToList();
        int reused = segments.Count - missing.Count;
        // A layer written with the bundle's segment boundaries holds most of them already compressed: they are appended
        // straight from its blob below.
        var inLayers = LayerSegmentCopy.Find(missing.Select(s => s.Name), paths, layerBlobs ?? Array.Empty<string>());
        var stamps = new BlobStamps(paths.BlobStamps);
        missing = missing.Where(s => !inLayers.ContainsKey(s.Name)).ToList();
        int fromLayers = inLayers.Count;
        // The rest hold entries of several layers (their folders interleave in the flattened tree): another machine may
        // have compressed them already.
        int fetched = 0;
        if (context.SegmentStore is { } far && missing.Count > 0)
        {
            var got = Bounded(missing, s => s.FetchAsync(far));
            missing = missing.Where((_, i) => !got[i]).ToList();
            fetched = got.Count(g => g);
        }
        var damaged = new List<Segment>();
        // A second pass only when a cached segment (or a layer blob's bytes) turned out damaged: it is compressed again
        // and the bundle rewritten.
        for (int pass = 0; ; pass++)
        {
            var compressing = clock.Elapsed;
            Parallel.ForEach(pass == 0 ? missing : damaged, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, s => s.Compress());
            log.Detail($"Bundle: flattened and keyed {segments.Count} segments in {flattened.TotalSeconds:0.00} s, copied {inLayers.Count} out of layer blobs, compressed {(pass == 0 ? missing : damaged).Count} in {(clock.Elapsed - compressing).TotalSeconds:0.00} s.");
            damaged.Clear();
            using var bundle = new TempFile(output.BundlePath);
            using (var file = bundle.Create())
            {
                foreach (var segment in segments)
                {
                    bool whole = inLayers.TryGetValue(segment.Name, out var source)
                        ? LayerSegmentCopy.CopyTo(source, stamps, file)
                        : SegmentSum.CopyVerified(segment.Path, file);
                    if (whole) continue;
                    damaged.Add(segment);
                    if (pass > 0) continue;
                    // Compressed into the segment cache on the next pass, and counted as compressed.
                    if (inLayers.Remove(segment.Name)) fromLayers--;
                    else reused--;
                }
                file.Write(EndOfArchive.Value);
            }
            if (damaged.Count > 0 && pass == 0)
            {
                log.Warning(Codes.CacheEntryRebuilt, $"{damaged.Count} bundle segment(s) cached in {segmentDirectory} or held by layer blobs were damaged (their bytes no longer match their digest); they are compressed again.");
                continue;
            }
            if (damaged.Count > 0)
                throw new ContainerSdkException(Codes.OutputWriteFailed, $"Bundle segments written to {segmentDirectory} do not read back as written: the disk may be failing.");
            acls.Commit();
            bundle.Commit();
            break;
        }
        // What this build had to compress, for the next machine (a failure is a warning, once).
        if (context.SegmentStore is { } store)
            Bounded(segments.Where(s => s.Written is not null).ToList(), async s => { await store.PutAsync(s.Name, s.Path, s.Written!.Value); return true; });

        using (var stateFile = new TempFile(state))
        {
            stateFile.WriteAllText(stateNow + "\n" + FileIdentity.StampOf(output.BundlePath) + "\n" + FileIdentity.StampOf(output.AclPath));
            stateFile.Commit();
        }
        RecordInputs(inputsState, plans, epoch, output);

        // Segments no longer used are this project's to delete only in its own work folder: in a shared
        // ContainerCacheDirectory another project's bundle may be using (or just writing) them.
        if (!paths.IsShared)
        {
            var used = segments.SelectMany(s => new[] { s.Path, SegmentSum.PathOf(s.Path) }).ToHashSet(StringComparer.Ordinal);
            foreach (var stale in Directory.EnumerateFiles(segmentDirectory).Where(f => !used.Contains(f)))
                File.Delete(stale);
        }

        log.Info($"Bundle {output.BundlePath}: {entries} entries from {plans.Count} layers, {reused} of {segments.Count} segments reused, {fromLayers} copied from the layers, " +
                 (context.SegmentStore is null ? "" : $"{fetched} from the registry cache, ") + $"{Sizes.Format(new FileInfo(output.BundlePath).Length)}, {acls.Count} {(acls.Count == 1 ? "path" : "paths")} with ACLs in {output.AclPath}, {clock.Elapsed.TotalSeconds:0.00} s");
    }

    /// <summary>Runs <paramref name="request"/> for each segment, <see cref="FarStoreRequests"/> at a time, and waits for all (one thread waits, none is blocked per request).</summary>
    private static bool[] Bounded(IReadOnlyList<Segment> segments, Func<Segment, Task<bool>> request)
    {
        using var slots = new SemaphoreSlim(FarStoreRequests);
        return Task.WhenAll(segments.Select(async s =>
        {
            await slots.WaitAsync();
            try { return await request(s); }
            finally { slots.Release(); }
        })).GetAwaiter().GetResult();
    }

    private static string InputsKey(IReadOnlyList<LayerPlan> plans, long epoch)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{FormatVersion}\0{LayerFingerprint.ToolVersion}\0{epoch}\0"));
        foreach (var plan in plans) hash.AppendData(plan.Fingerprint ?? Array.Empty<byte>());
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static void RecordInputs(string path, IReadOnlyList<LayerPlan> plans, long epoch, BundleOutput output)
    {
        if (plans.Any(p => p.Fingerprint is null)) return;
        using var temp = new TempFile(path);
        temp.WriteAllText(InputsKey(plans, epoch) + "\n" + FileIdentity.StampOf(output.BundlePath) + "\n" + FileIdentity.StampOf(output.AclPath));
        temp.Commit();
    }

    private static TarHeader WithTime(TarHeader header, long epoch)
    {
        var copy = header.Clone();
        copy.ModificationTime = epoch;
        return copy;
    }

    /// <summary>The two zero blocks that end a tar, as their own gzip member.</summary>
    private static readonly Lazy<byte[]> EndOfArchive = new(() =>
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(new byte[1024]);
        return buffer.ToArray();
    });

    private sealed class Segment
    {
        private readonly List<PlannedEntry> _entries;

        public Segment(List<PlannedEntry> entries, string directory)
        {
            _entries = entries;
            Name = SegmentCutter.Name(entries);
            Path = System.IO.Path.Combine(directory, Name + ".gz");
        }

        /// <summary>The digest of its entries (headers and content hashes), as <see cref="SegmentCutter.Name"/> gives it.</summary>
        public string Name { get; }

        /// <summary>The cached gzip member, named by the digest of its entries (headers and content hashes).</summary>
        public string Path { get; }

        /// <summary>The digest of the bytes <see cref="Compress"/> wrote in this build, if it ran.</summary>
        public Digest? Written { get; private set; }

        /// <summary>Takes the segment from the far store into the segment folder; false when the store does not have it.</summary>
        public async Task<bool> FetchAsync(IBundleSegmentStore store)
        {
            if (await store.TryFetchAsync(Name, Path) is not { } digest) return false;
            SegmentSum.Record(Path, digest);
            return true;
        }

        public void Compress()
        {
            using var temp = new TempFile(Path);
            Digest digest;
            using (var file = temp.Create())
            using (var hashed = new HashingWriteStream(file)) // the segment's digest as it is written, not read back
            using (var gzip = new ParallelGzipStream(hashed))
            using (var tar = new TarWriter(gzip, leaveOpen: true) { EndArchiveOnDispose = false })
            {
                foreach (var entry in _entries)
                {
                    if (!entry.HasData) { tar.WriteEntry(entry.Header); continue; }
                    using var content = entry.Content.Open();
                    if (entry.Content is not FileContent source) { tar.WriteEntry(entry.Header, content); continue; }
                    // The file is read a second time here, after its layer: a same-size rewrite in between would
                    // put other bytes in the bundle than in the image, under a segment name that says otherwise.
                    using var hashing = new HashingReadStream(content);
                    tar.WriteEntry(entry.Header, hashing);
                    if (entry.ContentHash is { } expected && !hashing.GetHash().AsSpan().SequenceEqual(expected))
                        throw new ContainerSdkException(Codes.FileChangedWhileReading,
                            $"'{source.Path}' changed while the build was reading it (its layer and the bundle would differ); build again once it is no longer being written.", source.Path);
                }
                gzip.Finish();
                digest = hashed.GetDigest();
            }
            temp.Commit();
            SegmentSum.Record(Path, digest);
            Written = digest;
        }
    }
}

/// <summary>Where the bundle and its ACL dump go.</summary>
public sealed record BundleOutput(string BundlePath, string AclPath);
