namespace ContainerSdk.Core.Blobs;

/// <summary>
/// The chunk and member buffers of <see cref="ParallelGzipStream"/>, kept for the process's next stream. Not
/// ArrayPool.Shared: it keeps the last array a thread gave back in that thread's own slot, and each stream's member
/// writer is a thread of its own, so every layer (each part of a split module) left a member buffer behind with its
/// thread, and the next one allocated afresh (bench/README.md, "Split modules": more gen-2 collections, a higher peak
/// RSS and the CPU of zeroing new arrays, per part). It also rounds a member's buffer (a chunk and deflate's worst case)
/// up to 8 MiB; here it is just that size.
/// </summary>
internal static class GzipBuffers
{
    /// <summary>A compressed member of a full chunk never needs more: stored deflate adds 5 bytes per 64 KiB block, plus a header.</summary>
    public const int MemberSize = ParallelGzipStream.ChunkSize + ParallelGzipStream.ChunkSize / 100 + 1024;

    // As many as can be in flight (two per core, see ParallelGzipStream), plus the chunks being filled: more is garbage.
    private static readonly int Kept = Environment.ProcessorCount * 2 + 4;
    private static readonly Stack<byte[]> Chunks = new(), Members = new();

    /// <summary>A buffer of at least <paramref name="length"/> bytes (a chunk's size, or a member's: no larger one is asked for).</summary>
    public static byte[] Rent(int length)
    {
        if (length > MemberSize) return new byte[length];
        var kept = length <= ParallelGzipStream.ChunkSize ? Chunks : Members;
        lock (kept)
            if (kept.TryPop(out var buffer)) return buffer;
        return new byte[ReferenceEquals(kept, Chunks) ? ParallelGzipStream.ChunkSize : MemberSize];
    }

    /// <summary>A buffer <see cref="Rent"/> gave, back for the next stream (or to the garbage collector when enough are kept).</summary>
    public static void Return(byte[] buffer)
    {
        var kept = buffer.Length switch
        {
            ParallelGzipStream.ChunkSize => Chunks,
            MemberSize => Members,
            _ => null,
        };
        if (kept is null) return;
        lock (kept)
            if (kept.Count < Kept) kept.Push(buffer);
    }
}
