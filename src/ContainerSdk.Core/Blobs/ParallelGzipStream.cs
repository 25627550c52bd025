using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
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
/// The members are written (and hashed, by the streams below) on a thread of the stream's own, so the thread that fills
/// the chunks (reading and hashing files) never stops to write: with incompressible input, where the workers have little
/// to do, that is what keeps the second core busy.
/// </summary>
internal sealed class ParallelGzipStream : Stream, IInPlaceSink
{
    public const int ChunkSize = 4 << 20;

    // Shared by every stream of the process: the bound on memory is global, not per layer. A slot is taken for a chunk
    // when it is submitted and given back once its member is written.
    private static readonly SemaphoreSlim InFlight = new(Math.Max(2, Environment.ProcessorCount * 2));

    private readonly Stream _output;
    // Members in order, and the boundary marks of EndMember between them, for the member writer.
    private readonly BlockingCollection<(Task<GzipMember.Member>? Member, Action<long>? Mark)> _pending = new();
    // The mark that pads the output to a block boundary (Align).
    private readonly Action<long> _pad;
    // This stream's members not yet known to be compressed, oldest first (the filling thread's own view).
    private readonly Queue<Task> _compressing = new();
    private readonly Task _memberWriter;
    private volatile ExceptionDispatchInfo? _failure;
    private volatile bool _abandoned;
    private long _written; // the member writer's alone
    private byte[]? _chunk;
    private int _filled;
    private bool _submittedAny;
    private bool _finished;

    private readonly LayerCompressionLevel _level;

    /// <param name="level">ContainerLayerCompressionLevel: the deflate levels of its members (<see cref="GzipMember.ZlibLevel"/>).</param>
    public ParallelGzipStream(Stream output, LayerCompressionLevel level = LayerCompressionLevel.Default)
    {
        _output = output;
        _pad = PadTo;
        _level = level;
        _memberWriter = Task.Factory.StartNew(WriteMembers, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            _chunk ??= GzipBuffers.Rent(ChunkSize);
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
        _chunk ??= GzipBuffers.Rent(ChunkSize);
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
        _failure?.Throw();
        AcquireSlot();
        var chunk = _chunk ?? GzipBuffers.Rent(ChunkSize);
        int length = _filled;
        var member = Task.Run(() =>
        {
            try { return GzipMember.Compress(chunk, 0, length, _level); }
            finally { GzipBuffers.Return(chunk); }
        });
        _compressing.Enqueue(member);
        _pending.Add((member, null));
        _submittedAny = true;
        _chunk = null;
        _filled = 0;
    }

    /// <summary>
    /// Takes one of the process-wide slots. While none is free, the thread helps its own oldest member along (a wait
    /// on a task may run it right here), so that no stream waits on workers that streams blocked in here keep busy;
    /// once all of its members are compressed, its member writer frees a slot as soon as it has written one.
    /// </summary>
    private void AcquireSlot()
    {
        while (!InFlight.Wait(0))
        {
            _failure?.Throw();
            while (_compressing.Count > 0 && _compressing.Peek().IsCompleted) _compressing.Dequeue();
            if (_compressing.Count > 0) { try { _compressing.Peek().Wait(); } catch (AggregateException) { } } // the member writer reports it
            else if (InFlight.Wait(50)) return;
        }
    }

    /// <summary>The member writer: writes the members in order as they are compressed, and runs the marks between them.</summary>
    private void WriteMembers()
    {
        foreach (var (task, mark) in _pending.GetConsumingEnumerable())
        {
            if (task is null)
            {
                if (_failure is null && !_abandoned)
                    try { mark!(_written); }
                    catch (Exception e) { _failure ??= ExceptionDispatchInfo.Capture(e); }
                continue;
            }
            try
            {
                using var member = task.GetAwaiter().GetResult();
                if (_failure is null && !_abandoned)
                {
                    _output.Write(member.Span);
                    _written += member.Span.Length;
                }
            }
            catch (Exception e)
            {
                // Recorded for the filling thread; the writer goes on giving back every slot its stream holds.
                _failure ??= ExceptionDispatchInfo.Capture(e);
            }
            finally { InFlight.Release(); }
        }
    }

    /// <summary>
    /// Ends the current member here: the next byte starts a new chunk, so the bytes written between two calls come
    /// out as exactly the members a fresh stream makes of them (a layer's bundle segments, copied into the bundle
    /// as they are). <paramref name="written"/> gets the output offset of the boundary once everything before it
    /// has been written to the output (on the member writer's thread).
    /// </summary>
    public void EndMember(Action<long>? written = null)
    {
        if (_filled > 0) Submit();
        if (written is not null) _pending.Add((null, written));
    }

    /// <summary>
    /// Ends the current member and pads the output with an empty member (<see cref="GzipPadding"/>) to the next multiple
    /// of <see cref="GzipPadding.Alignment"/> from its start: a segment then ends on a block boundary.
    /// </summary>
    public void Align()
    {
        if (_filled > 0) Submit();
        _pending.Add((null, _pad));
    }

    /// <summary>On the member writer's thread, as a mark: the padding that <see cref="Align"/> asked for.</summary>
    private void PadTo(long written)
    {
        if (GzipPadding.LengthAt(written) is > 0 and var length)
        {
            _output.Write(GzipPadding.Member(length));
            _written += length;
        }
    }

    /// <summary>
    /// Appends <paramref name="length"/> bytes of ready-made gzip members (a piece of a segment another blob holds, made by
    /// a stream like this one) after everything written so far, as they are. What is pending is ended first, as
    /// <see cref="EndMember"/> ends it, so the copy starts where a fresh stream would. Takes <paramref name="pooled"/>
    /// (rented from <see cref="GzipBuffers"/>), which goes back once written, under the same memory bound as compressed chunks.
    /// </summary>
    public void AppendMember(byte[] pooled, int length)
    {
        try
        {
            if (_filled > 0) Submit();
            _failure?.Throw();
            AcquireSlot();
        }
        catch
        {
            GzipBuffers.Return(pooled);
            throw;
        }
        _pending.Add((Task.FromResult(new GzipMember.Member(pooled, length)), null));
        _submittedAny = true;
    }

    /// <summary>Compresses what is left and writes every member; the stream is complete afterwards.</summary>
    public void Finish()
    {
        if (_finished) return;
        // An empty stream is one empty member: gzip readers reject a file of no bytes.
        if (_filled > 0 || !_submittedAny) Submit();
        _finished = true;
        _pending.CompleteAdding();
        _memberWriter.Wait();
        _failure?.Throw();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_finished)
        {
            // Abandoned (an error upstream): let running workers end and give back what they hold; write nothing more.
            _finished = true;
            _abandoned = true;
            _pending.CompleteAdding();
            try { _memberWriter.Wait(); } catch (AggregateException) { }
            if (_chunk is not null) GzipBuffers.Return(_chunk);
            _chunk = null;
        }
        if (disposing) _pending.Dispose();
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
