// Usage: dotnet run --project bench/phases -c Release -- TREE SCRATCH_DIR
// Streams every file of TREE (sorted, like a layer) through one step at a time and prints its wall and CPU time,
// so that a cold build's time can be split into reading, hashing and compressing.
using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;

string tree = args[0], scratch = args[1];
Directory.CreateDirectory(scratch);
var allFiles = Directory.EnumerateFiles(tree, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
var files = allFiles;
long total = files.Sum(f => new FileInfo(f).Length);
if (args.Length > 2 && args[2] == "levels")
{
    // gzip levels by kind of content: where deflate's time goes, and what each level gains.
    Console.WriteLine($"{"content / zlib-ng level",-44} {"wall s",8} {"cpu s",8} {"MiB/s",8} {"out MiB",9}");
    foreach (var (kind, pick) in new (string, Func<string, bool>)[] {
        ("text", f => !f.EndsWith(".so") && !f.EndsWith(".dat")), ("random binaries", f => f.EndsWith(".so")), ("repetitive binaries", f => f.EndsWith(".dat")) })
    {
        files = allFiles.Where(pick).ToArray();
        total = files.Sum(f => new FileInfo(f).Length);
        foreach (int level in new[] { 1, 6, 7, 8, 9 })
            Step($"{kind} ({total / 1048576.0:0} MiB), level {level}", () =>
            {
                var count = new CountSink();
                using (var gz = new GZipStream(count, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true)) Feed(gz);
                return count.Bytes;
            });
    }
    return;
}
Console.WriteLine($"{files.Length} files, {total / 1048576.0:0.0} MiB; {Environment.ProcessorCount} cores; .NET {Environment.Version}");
Console.WriteLine($"{"step",-44} {"wall s",8} {"cpu s",8} {"MiB/s",8} {"out MiB",9}");

void Feed(Stream sink)
{
    var buffer = new byte[1 << 20];
    foreach (var f in files)
    {
        using var input = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        int n;
        while ((n = input.Read(buffer)) > 0) sink.Write(buffer, 0, n);
    }
}

void Step(string name, Func<long> run)
{
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    long produced = run();
    double wall = clock.Elapsed.TotalSeconds;
    double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
    Console.WriteLine($"{name,-44} {wall,8:0.00} {cpu,8:0.00} {total / 1048576.0 / wall,8:0} {(produced < 0 ? "" : (produced / 1048576.0).ToString("0.0")),9}");
}

Step("read files (page cache)", () => { Feed(Stream.Null); return -1; });
Step("read + SHA-256", () => { using var h = new HashSink(); Feed(h); return -1; });
Step("read + SHA-256 x2 (content + diffID)", () => { using var h = new HashSink(new HashSink()); Feed(h); return -1; });
// Fastest = zlib level 1, Optimal = 6 (what the engine uses), SmallestSize = 9; .NET 9+ ships zlib-ng.
foreach (var level in new[] { CompressionLevel.Fastest, CompressionLevel.SmallestSize })
    Step($"read + gzip {level} -> null", () =>
    {
        var count = new CountSink();
        using (var gz = new GZipStream(count, level, leaveOpen: true)) Feed(gz);
        return count.Bytes;
    });
string gzPath = Path.Combine(scratch, "phases.tar.gz");
Step("read + gzip Optimal -> file (kept for gunzip)", () =>
{
    using var file = new FileStream(gzPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
    using (var gz = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true)) Feed(gz);
    return file.Length;
});
Step("gunzip that file -> null (bundle's input side)", () =>
{
    using var gz = new GZipStream(File.OpenRead(gzPath), CompressionMode.Decompress);
    gz.CopyTo(Stream.Null, 1 << 20);
    return -1;
});
File.Delete(gzPath);
Step("read + zstd 3 (ZstdSharp) -> null", () =>
{
    var count = new CountSink();
    using (var z = new ZstdSharp.CompressionStream(count, 3, 0, leaveOpen: true)) Feed(z);
    return count.Bytes;
});
// gzip members compressed concurrently and concatenated (a valid gzip stream, what pigz-like writers do).
Step($"read + gzip Optimal, 1 MiB members on {Environment.ProcessorCount} threads", () =>
{
    long bytes = 0;
    var chunks = new System.Collections.Concurrent.BlockingCollection<byte[]>(boundedCapacity: 8);
    var reader = Task.Run(() =>
    {
        using var chunker = new ChunkSink(chunks, 1 << 20);
        Feed(chunker);
        chunker.Dispose();
        chunks.CompleteAdding();
    });
    Parallel.ForEach(chunks.GetConsumingEnumerable(), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, chunk =>
    {
        var count = new CountSink();
        using (var gz = new GZipStream(count, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(chunk);
        Interlocked.Add(ref bytes, count.Bytes);
    });
    reader.Wait();
    return bytes;
});

sealed class CountSink : Stream
{
    public long Bytes;
    public override void Write(byte[] buffer, int offset, int count) => Bytes += count;
    public override void Write(ReadOnlySpan<byte> buffer) => Bytes += buffer.Length;
    public override bool CanRead => false; public override bool CanSeek => false; public override bool CanWrite => true;
    public override long Length => Bytes; public override long Position { get => Bytes; set { } }
    public override void Flush() { }
    public override int Read(byte[] b, int o, int c) => throw new NotSupportedException();
    public override long Seek(long o, SeekOrigin s) => throw new NotSupportedException();
    public override void SetLength(long v) => throw new NotSupportedException();
}

sealed class HashSink(Stream? next = null) : Stream
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    public override void Write(byte[] buffer, int offset, int count) { hash.AppendData(buffer, offset, count); next?.Write(buffer, offset, count); }
    public override bool CanRead => false; public override bool CanSeek => false; public override bool CanWrite => true;
    public override long Length => 0; public override long Position { get => 0; set { } }
    public override void Flush() { }
    public override int Read(byte[] b, int o, int c) => throw new NotSupportedException();
    public override long Seek(long o, SeekOrigin s) => throw new NotSupportedException();
    public override void SetLength(long v) => throw new NotSupportedException();
    protected override void Dispose(bool disposing) { if (disposing) { hash.Dispose(); next?.Dispose(); } base.Dispose(disposing); }
}

sealed class ChunkSink(System.Collections.Concurrent.BlockingCollection<byte[]> chunks, int size) : Stream
{
    private byte[] current = new byte[size];
    private int used;
    public override void Write(byte[] buffer, int offset, int count)
    {
        while (count > 0)
        {
            int n = Math.Min(count, size - used);
            Buffer.BlockCopy(buffer, offset, current, used, n);
            used += n; offset += n; count -= n;
            if (used == size) { chunks.Add(current); current = new byte[size]; used = 0; }
        }
    }
    protected override void Dispose(bool disposing)
    {
        if (disposing && used > 0) { chunks.Add(current[..used]); used = 0; }
        base.Dispose(disposing);
    }
    public override bool CanRead => false; public override bool CanSeek => false; public override bool CanWrite => true;
    public override long Length => 0; public override long Position { get => 0; set { } }
    public override void Flush() { }
    public override int Read(byte[] b, int o, int c) => throw new NotSupportedException();
    public override long Seek(long o, SeekOrigin s) => throw new NotSupportedException();
    public override void SetLength(long v) => throw new NotSupportedException();
}
