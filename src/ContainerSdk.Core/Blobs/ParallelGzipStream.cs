using System.Buffers;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Blobs;

/// <summary>
/// Gzip on every core: the input is cut into fixed-size chunks, each compressed as its own gzip member by a
/// worker, and the members are written in order. A file of several members is valid gzip (RFC 1952, 2.2)
/// and every reader a container runtime uses takes it as one stream (Go's compress/gzip, zlib, GNU gzip),
/// as pigz and pgzip output is. Chunk boundaries depend on byte counts alone, so the output is deterministic.
/// Each member restarts the dictionary: 4 MiB chunks keep the size cost well under 1%. See <see cref="GzipMember"/>
/// for how each chunk is compressed.
/// Memory stays flat however many streams run at once (layers and bundle segments are written concurrently):
/// chunk buffers come from a pool, and all streams together keep at most two chunks per core in flight.
/// </summary>
internal sealed class ParallelGzipStream : Stream, IInPlaceSink
{
    public const int ChunkSize = 4 << 20;

    // Shared by every stream of the process: the bound on memory is global, not per layer.
    private static readonly SemaphoreSlim InFlight = new(Math.Max(2, Environment.ProcessorCount * 2));

    private readonly Stream _output;
    // Members in order, and the boundary marks of EndMember between them.
    private readonly Queue<(Task<GzipMember.Member>? Member, Action<long>? Mark)> _pending = new();
    private byte[]? _chunk;
    private int _filled;
    private long _written;
    private bool _finished;

    public ParallelGzipStream(Stream output)
    {
        _output = output;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            _chunk ??= ArrayPool<byte>.Shared.Rent(ChunkSize);
            int n = Math.Min(buffer.Length, ChunkSize - _filled);
            buffer[..n].CopyTo(_chunk.AsSpan(_filled));
            _filled += n;
            buffer = buffer[n..];
            if (_filled == ChunkSize) Submit();
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public Memory<byte> GetMemory()
    {
        _chunk ??= ArrayPool<byte>.Shared.Rent(ChunkSize);
        return _chunk.AsMemory(_filled, ChunkSize - _filled);
    }

    public void Advance(int count)
    {
        if (count < 0 || count > ChunkSize - _filled) throw new ArgumentOutOfRangeException(nameof(count));
        _filled += count;
        if (_filled == ChunkSize) Submit();
    }

    private void Submit()
    {
        AcquireSlot();
        var chunk = _chunk ?? ArrayPool<byte>.Shared.Rent(ChunkSize);
        int length = _filled;
        _pending.Enqueue((Task.Run(() =>
        {
            try { return GzipMember.Compress(chunk, 0, length); }
            finally { ArrayPool<byte>.Shared.Return(chunk); }
        }), null));
        _chunk = null;
        _filled = 0;
    }

    /// <summary>
    /// Takes one of the process-wide slots. A stream with members in flight never blocks for one: it writes
    /// out its oldest member, which frees a slot, so no stream can wait while holding slots another needs.
    /// </summary>
    private void AcquireSlot()
    {
        while (!InFlight.Wait(0))
        {
            if (_pending.Count > 0) Drain();
            else { InFlight.Wait(); return; }
        }
    }

    private void Drain()
    {
        var (task, mark) = _pending.Dequeue();
        if (task is null)
        {
            mark!(_written);
            return;
        }
        using var member = task.GetAwaiter().GetResult();
        try
        {
            _output.Write(member.Span);
            _written += member.Span.Length;
        }
        finally { InFlight.Release(); }
    }

    /// <summary>
    /// Ends the current member here: the next byte starts a new chunk, so the bytes written between two calls come
    /// out as exactly the members a fresh stream makes of them (a layer's bundle segments, copied into the bundle
    /// as they are). <paramref name="written"/> gets the output offset of the boundary once everything before it
    /// has been written to the output.
    /// </summary>
    public void EndMember(Action<long>? written = null)
    {
        if (_filled > 0) Submit();
        if (written is null) return;
        if (_pending.Count == 0) written(_written);
        else _pending.Enqueue((null, written));
    }

    /// <summary>Compresses what is left and writes every member; the stream is complete afterwards.</summary>
    public void Finish()
    {
        if (_finished) return;
        // An empty stream is one empty member: gzip readers reject a file of no bytes.
        if (_filled > 0 || (_written == 0 && !_pending.Any(p => p.Member is not null))) Submit();
        while (_pending.Count > 0) Drain();
        _finished = true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_finished)
        {
            // Abandoned (an error upstream): let running workers end and give back what they hold; write nothing more.
            while (_pending.Count > 0)
            {
                var (task, _) = _pending.Dequeue();
                if (task is null) continue;
                try { task.GetAwaiter().GetResult().Dispose(); } catch (Exception) { }
                InFlight.Release();
            }
            if (_chunk is not null) ArrayPool<byte>.Shared.Return(_chunk);
            _chunk = null;
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
