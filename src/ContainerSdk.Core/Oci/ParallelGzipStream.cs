using System.IO.Compression;

namespace ContainerSdk.Core.Oci;

/// <summary>
/// Gzip on every core: the input is cut into fixed-size chunks, each compressed as its own gzip member by a
/// worker, and the members are written in order. A file of several members is valid gzip (RFC 1952, 2.2)
/// and every reader a container runtime uses takes it as one stream (Go's compress/gzip, zlib, GNU gzip),
/// as pigz and pgzip output is. Chunk boundaries depend on byte counts alone, so the output is deterministic.
/// Each member restarts the dictionary: 4 MiB chunks keep the size cost well under 1%.
/// </summary>
internal sealed class ParallelGzipStream : Stream
{
    public const int ChunkSize = 4 << 20;

    private readonly Stream _output;
    private readonly CompressionLevel _level;
    private readonly Queue<Task<byte[]>> _pending = new();
    private readonly int _maxPending = Math.Max(2, Environment.ProcessorCount * 2);
    private byte[] _chunk = new byte[ChunkSize];
    private int _filled;
    private bool _finished;

    public ParallelGzipStream(Stream output, CompressionLevel level)
    {
        _output = output;
        _level = level;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int n = Math.Min(buffer.Length, ChunkSize - _filled);
            buffer[..n].CopyTo(_chunk.AsSpan(_filled));
            _filled += n;
            buffer = buffer[n..];
            if (_filled == ChunkSize) Submit();
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    private void Submit()
    {
        var chunk = _chunk;
        int length = _filled;
        _pending.Enqueue(Task.Run(() => Compress(chunk, length, _level)));
        _chunk = new byte[ChunkSize];
        _filled = 0;
        while (_pending.Count >= _maxPending) Drain();
    }

    private void Drain() => _output.Write(_pending.Dequeue().GetAwaiter().GetResult());

    private static byte[] Compress(byte[] chunk, int length, CompressionLevel level)
    {
        using var member = new MemoryStream(length / 2 + 64);
        using (var gzip = new GZipStream(member, level, leaveOpen: true)) gzip.Write(chunk, 0, length);
        var bytes = member.ToArray();
        // zlib writes mtime 0 already; the OS byte differs by platform: Unix (3) everywhere, for the same digest.
        bytes[4] = bytes[5] = bytes[6] = bytes[7] = 0;
        bytes[9] = 3;
        return bytes;
    }

    /// <summary>Compresses what is left and writes every member; the stream is complete afterwards.</summary>
    public void Finish()
    {
        if (_finished) return;
        _finished = true;
        if (_filled > 0 || _pending.Count == 0) Submit();
        while (_pending.Count > 0) Drain();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_finished)
        {
            // Abandoned (an error upstream): let running workers end, write nothing more.
            foreach (var task in _pending) try { task.Wait(); } catch (AggregateException) { }
            _pending.Clear();
            _finished = true;
        }
        base.Dispose(disposing);
    }

    public override void Flush() { }
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_finished;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
