using System.Buffers;
using System.Runtime.ExceptionServices;

namespace ContainerSdk.Core.Squashfs;

/// <summary>
/// Streams data and fragment blocks to the image: each block is compressed on the thread pool (several at once) and
/// written in the order it was given, so the image's bytes do not depend on which thread finished first. Memory holds only
/// the blocks in flight. Every callback runs on the thread calling <see cref="Submit"/> or <see cref="Drain"/>.
/// </summary>
internal sealed class DataBlockWriter
{
    /// <summary>Bit 24 of a block's size word: the block is stored uncompressed.</summary>
    public const uint Uncompressed = 1u << 24;

    private readonly Stream _output;
    private readonly BlockCompressor _compressor;
    private readonly int _maxInFlight;
    private readonly Queue<(Task<Stored> Work, Action<long, uint> Written)> _pending = new();

    public DataBlockWriter(Stream output, BlockCompressor compressor, int threads)
    {
        _output = output;
        _compressor = compressor;
        _maxInFlight = Math.Max(1, threads) * 2;
        Position = output.Position;
    }

    /// <summary>Where the next block written will start in the image.</summary>
    public long Position { get; private set; }

    /// <summary>
    /// Compresses and writes <paramref name="length"/> bytes of <paramref name="block"/> (a buffer rented from
    /// <see cref="ArrayPool{T}.Shared"/>, which this writer returns), then calls <paramref name="written"/> with the block's
    /// position in the image and its size word (the stored length, <see cref="Uncompressed"/> when stored as it is).
    /// </summary>
    public void Submit(byte[] block, int length, Action<long, uint> written)
    {
        _pending.Enqueue((Task.Run(() => Compress(block, length)), written));
        while (_pending.Count > 0 && (_pending.Count > _maxInFlight || _pending.Peek().Work.IsCompleted)) WriteFirst();
    }

    /// <summary>Waits for and writes every block given so far.</summary>
    public void Drain()
    {
        while (_pending.Count > 0) WriteFirst();
    }

    /// <summary>Lets the blocks still compressing finish, without writing them (a failed image): their buffers go back to the pool.</summary>
    public void Abandon()
    {
        while (_pending.Count > 0)
        {
            var (work, _) = _pending.Dequeue();
            try { ArrayPool<byte>.Shared.Return(work.GetAwaiter().GetResult().Buffer); } catch { /* the failure is already on its way up */ }
        }
    }

    private void WriteFirst()
    {
        var (work, written) = _pending.Dequeue();
        Stored stored;
        try { stored = work.GetAwaiter().GetResult(); }
        catch (Exception e) { ExceptionDispatchInfo.Capture(e).Throw(); throw; }
        _output.Write(stored.Buffer, 0, stored.Length);
        ArrayPool<byte>.Shared.Return(stored.Buffer);
        long at = Position;
        Position += stored.Length;
        written(at, (uint)stored.Length | (stored.Raw ? Uncompressed : 0));
    }

    private Stored Compress(byte[] block, int length)
    {
        var output = ArrayPool<byte>.Shared.Rent(_compressor.OutputSize(length));
        int compressed;
        try { compressed = _compressor.Compress(block.AsSpan(0, length), output); }
        catch
        {
            ArrayPool<byte>.Shared.Return(output);
            ArrayPool<byte>.Shared.Return(block);
            throw;
        }
        if (compressed < 0)
        {
            ArrayPool<byte>.Shared.Return(output);
            return new Stored(block, length, Raw: true);
        }
        ArrayPool<byte>.Shared.Return(block);
        return new Stored(output, compressed, Raw: false);
    }

    private readonly record struct Stored(byte[] Buffer, int Length, bool Raw);
}
