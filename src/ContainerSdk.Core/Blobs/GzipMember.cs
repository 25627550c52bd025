using System.Buffers;
using System.IO.Compression;
using System.Reflection;

namespace ContainerSdk.Core.Blobs;

/// <summary>
/// Compresses one chunk into one gzip member, choosing per chunk from its bytes alone (so the output stays
/// deterministic): data that does not compress (random or already-compressed files: tarballs, media,
/// encrypted licence payloads) is stored, which costs nothing and never grows it; anything else is deflated
/// at zlib level 7. On .NET 9 and later (zlib-ng), level 7 compresses about 8% better than CompressionLevel.Optimal
/// (level 6, zlib-ng's faster "medium" strategy) for about 10% more time, and ties with GNU gzip -6.
/// </summary>
internal static class GzipMember
{
    private const int SampleWindows = 8;
    private const int SampleSize = 16 << 10;
    private const double StoreRatio = 0.98;

    // ZLibCompressionOptions (.NET 9+) lets a level be chosen; the engine targets net8.0, so it is found at run time.
    private static readonly Func<Stream, Stream>? Level7 = FindLevelConstructor(7);

    /// <summary>One compressed member in a pooled buffer: write <see cref="Span"/>, then dispose to give the buffer back.</summary>
    public sealed class Member(byte[] buffer, int length) : IDisposable
    {
        private byte[]? _buffer = buffer;
        public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, length);
        public void Dispose()
        {
            if (_buffer is not null) ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    public static Member Compress(byte[] buffer, int offset, int length)
    {
        var level = Incompressible(buffer, offset, length) ? (Func<Stream, Stream>)(s => new GZipStream(s, CompressionLevel.NoCompression, leaveOpen: true))
            : Level7 ?? (s => new GZipStream(s, CompressionLevel.Optimal, leaveOpen: true));
        // Stored deflate adds 5 bytes per 64 KiB block, so input + 1% + a header never overflows.
        var output = ArrayPool<byte>.Shared.Rent(length + length / 100 + 1024);
        int written;
        try
        {
            using var member = new MemoryStream(output, 0, output.Length, writable: true, publiclyVisible: true);
            using (var gzip = level(member)) gzip.Write(buffer, offset, length);
            written = (int)member.Position;
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(output);
            throw;
        }
        // zlib writes mtime 0 already; the OS byte differs by platform: Unix (3) everywhere, for the same digest.
        output[4] = output[5] = output[6] = output[7] = 0;
        output[9] = 3;
        return new Member(output, written);
    }

    /// <summary>Whether evenly spread samples of the chunk all fail to shrink at the fastest level.</summary>
    private static bool Incompressible(byte[] buffer, int offset, int length)
    {
        if (length < SampleWindows * SampleSize * 2) return false;
        int stride = (length - SampleSize) / (SampleWindows - 1);
        using var probe = new MemoryStream(SampleSize + 1024);
        for (int i = 0; i < SampleWindows; i++)
        {
            probe.SetLength(0);
            using (var deflate = new DeflateStream(probe, CompressionLevel.Fastest, leaveOpen: true))
                deflate.Write(buffer, offset + i * stride, SampleSize);
            if (probe.Length < SampleSize * StoreRatio) return false;
        }
        return true;
    }

    private static Func<Stream, Stream>? FindLevelConstructor(int level)
    {
        var optionsType = typeof(GZipStream).Assembly.GetType("System.IO.Compression.ZLibCompressionOptions");
        var ctor = optionsType is null ? null : typeof(GZipStream).GetConstructor(new[] { typeof(Stream), optionsType, typeof(bool) });
        var levelProperty = optionsType?.GetProperty("CompressionLevel", BindingFlags.Public | BindingFlags.Instance);
        if (ctor is null || levelProperty is null) return null;
        return stream =>
        {
            var options = Activator.CreateInstance(optionsType!)!;
            levelProperty.SetValue(options, level);
            return (Stream)ctor.Invoke(new object[] { stream, options, true });
        };
    }
}
