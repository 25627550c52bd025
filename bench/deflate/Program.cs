// Usage: dotnet Deflate.dll TAR [levels...]
// Each line: what, compressed MiB, CPU seconds (this thread), as the engine compresses: 4 MiB chunks, one gzip member each.
using System.Diagnostics;
using System.IO.Compression;
using ContainerSdk.Core.Blobs;

const int Chunk = 4 << 20;
string tar = args[0];
var levels = args.Length > 1 ? args[1..] : new[] { "engine", "1", "2", "3", "4", "5", "6", "7", "9" };
var bytes = File.ReadAllBytes(tar);
Console.WriteLine($"{tar}: {bytes.Length / 1048576.0:0.0} MiB, chunks of {Chunk >> 20} MiB");
foreach (var what in levels)
{
    long size = 0;
    var start = ThreadCpu();
    var wall = Stopwatch.StartNew();
    for (int at = 0; at < bytes.Length; at += Chunk)
    {
        int length = Math.Min(Chunk, bytes.Length - at);
        if (what.StartsWith("policy:", StringComparison.Ordinal))
        {
            // The engine's per-chunk choice, its three levels replaced: "policy:TEXT,BINARY,REPETITIVE".
            var l = what[7..].Split(',').Select(int.Parse).ToArray();
            int level = GzipMember.LevelFor(bytes, at, length) switch
            {
                GzipMember.Stored => 0,
                GzipMember.Text => l[0],
                GzipMember.Binary => l[1],
                _ => l[2],
            };
            using var output = new CountingStream();
            using (var gzip = new GZipStream(output, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
                gzip.Write(bytes, at, length);
            size += output.Length;
        }
        else if (what == "engine")
        {
            using var member = GzipMember.Compress(bytes, at, length);
            size += member.Span.Length;
        }
        else
        {
            using var output = new CountingStream();
            using (var gzip = new GZipStream(output, new ZLibCompressionOptions { CompressionLevel = int.Parse(what) }, leaveOpen: true))
                gzip.Write(bytes, at, length);
            size += output.Length;
        }
    }
    var cpu = ThreadCpu() - start;
    Console.WriteLine($"{(what == "engine" ? "engine (per-chunk level)" : what.StartsWith("policy:") ? what : "zlib-ng level " + what),-26} {size / 1048576.0,8:0.0} MiB {cpu.TotalSeconds,7:0.00} s CPU {wall.Elapsed.TotalSeconds,7:0.00} s wall");
}

static TimeSpan ThreadCpu() => Process.GetCurrentProcess().TotalProcessorTime;

sealed class CountingStream : Stream
{
    private long _length;
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => _length += count;
    public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
}
