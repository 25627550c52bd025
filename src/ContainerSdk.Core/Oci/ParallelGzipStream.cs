using System.IO.Compression;

namespace ContainerSdk.Core.Oci;

/// <summary>
/// Gzip on every core: the input is cut into fixed-size chunks, each compressed as its own gzip member by a
/// worker, and the members are written in order. A file of several members is valid gzip (RFC 1952, 2.2)
/// and every reader a container runtime uses takes it as one stream (Go's compress/gzip, zlib, GNU gzip),
/// as pigz and pgzip output is. Chunk boundaries depend on byte counts alone, so the output is deterministic.
/// Each member restarts the dictionary: 4 MiB chunks keep the size cost well under 1%. See <see cref="GzipMember"/> for
/// how each chunk is compressed.
/// </summary>
internal sealed class ParallelGzipStream : Stream
{
    public const int ChunkSize = 4 << 20;

    private readonly Stream _output;
    private readonly Queue<Task<byte[]>> _pending = new();
    private readonly int _maxPending = Math.Max(2, Environment.ProcessorCount * 2);
    private byte[] _chunk = new byte[ChunkSize];
    private int _filled;
    private bool _finished;

    public ParallelGzipStream(Stream output)
    {
        _output = output;
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
        _pending.Enqueue(Task.Run(() => GzipMember.Compress(chunk, 0, length)));
        _chunk = new byte[ChunkSize];
        _filled = 0;
        while (_pending.Count >= _maxPending) Drain();
    }

    private void Drain() => _output.Write(_pending.Dequeue().GetAwaiter().GetResult());

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
