using System.Buffers;
using System.IO.Compression;
using System.Reflection;

namespace ContainerSdk.Core.Blobs;

/// <summary>
/// Compresses one chunk into one gzip member, choosing per chunk from its bytes alone (so the output stays
/// deterministic) from a probe: evenly spread samples deflated at the fastest level.
/// - Samples that do not shrink (random or already-compressed files: tarballs, media, encrypted licence payloads):
///   the chunk is stored, which costs nothing and never grows it.
/// - Samples that shrink to under 30% on average, or two that do while their bytes are spread like random data's
///   (long repeats of incompressible material: data files, tables, a file of repeated blocks at the chunk's edge):
///   zlib level 7. zlib-ng's lazy matcher (7-9) finds repeats its "medium" one (4-6) misses, at little cost on such
///   data: a block repeated with small changes came out at 3 MiB where level 6 left 42 MiB of 415.
/// - Text (sources, scripts, documentation: samples mostly printable): level 4, zlib-ng's fastest "medium" level.
///   Text is where the medium matcher pays: level 3 makes it 5.9% larger for 40% less time.
/// - Anything else (ELF code, object files): level 3, zlib-ng's "fast" matcher, 1.4% larger than level 4 on
///   executables and libraries for 15-25% less time. Measured per 4 MiB chunk on both benchmark trees
///   (bench/README.md); the layers stay smaller than umoci's (Go's klauspost deflate at its default level).
/// </summary>
internal static class GzipMember
{
    private const int SampleWindows = 8;
    private const int SampleSize = 16 << 10;
    private const double StoreRatio = 0.98;
    private const double RepetitiveRatio = 0.3;
    // Uniformly random bytes are 37% printable; text is over 85%, zero-filled regions near 0%.
    private const double TextShare = 0.85, RandomShareLow = 0.3, RandomShareHigh = 0.5;

    public const int Stored = 0, Repetitive = 7, Text = 4, Binary = 3;

    // ZLibCompressionOptions (.NET 9+) lets a level be chosen; the engine targets net8.0, so it is found at run time.
    // .NET 8 offers Optimal (level 6) only.
    private static readonly Func<Stream, Stream>?[] Levels = Enumerable.Range(0, 10).Select(l => l == 0 ? null : FindLevelConstructor(l)).ToArray();

    /// <summary>The zlib level of a chunk of the kind <see cref="LevelFor"/> says, at ContainerLayerCompressionLevel <paramref name="level"/>.</summary>
    internal static int ZlibLevel(int kind, LayerCompressionLevel level) => (kind, level) switch
    {
        (Stored, _) => 0,
        (Repetitive, LayerCompressionLevel.Smallest) => 9,
        (Repetitive, _) => Repetitive,
        (_, LayerCompressionLevel.Fastest) => 2,
        (_, LayerCompressionLevel.Smallest) => 6,
        (Binary, _) => Binary,
        _ => Text,
    };

    /// <summary>One compressed member in a pooled buffer: write <see cref="Span"/>, then dispose to give the buffer back.</summary>
    public sealed class Member(byte[] buffer, int length) : IDisposable
    {
        private byte[]? _buffer = buffer;
        public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, length);
        public void Dispose()
        {
            if (_buffer is not null) GzipBuffers.Return(_buffer);
            _buffer = null;
        }
    }

    public static Member Compress(byte[] buffer, int offset, int length, LayerCompressionLevel setting = LayerCompressionLevel.Default)
    {
        var level = ZlibLevel(LevelFor(buffer, offset, length), setting) switch
        {
            0 => s => new GZipStream(s, CompressionLevel.NoCompression, leaveOpen: true),
            var zlib => Levels[zlib],
        } ?? (s => new GZipStream(s, CompressionLevel.Optimal, leaveOpen: true));
        // Stored deflate adds 5 bytes per 64 KiB block, so input + 1% + a header never overflows.
        var output = GzipBuffers.Rent(length + length / 100 + 1024);
        int written;
        try
        {
            using var member = new MemoryStream(output, 0, output.Length, writable: true, publiclyVisible: true);
            using (var gzip = level(member)) gzip.Write(buffer, offset, length);
            written = (int)member.Position;
        }
        catch
        {
            GzipBuffers.Return(output);
            throw;
        }
        // zlib writes mtime 0 already; the OS byte differs by platform: Unix (3) everywhere, for the same digest.
        output[4] = output[5] = output[6] = output[7] = 0;
        output[9] = 3;
        return new Member(output, written);
    }

    /// <summary>The zlib level the chunk is compressed at (<see cref="Stored"/>: not compressed), from samples of it.</summary>
    internal static int LevelFor(byte[] buffer, int offset, int length)
    {
        // A chunk too short to sample (a stream's last one) is compressed: storing is for sure losses only.
        if (length < SampleWindows * SampleSize * 2) return Text;
        int stride = (length - SampleSize) / (SampleWindows - 1);
        using var probe = new MemoryStream(SampleSize + 1024);
        long compressed = 0, printable = 0;
        bool allStored = true;
        int repeatedRandom = 0;
        for (int i = 0; i < SampleWindows; i++)
        {
            var window = buffer.AsSpan(offset + i * stride, SampleSize);
            probe.SetLength(0);
            using (var deflate = new DeflateStream(probe, CompressionLevel.Fastest, leaveOpen: true))
                deflate.Write(window);
            compressed += probe.Length;
            allStored &= probe.Length >= SampleSize * StoreRatio;
            int windowPrintable = PrintableCount(window);
            printable += windowPrintable;
            double share = windowPrintable / (double)SampleSize;
            if (probe.Length < SampleSize * RepetitiveRatio && share is >= RandomShareLow and <= RandomShareHigh) repeatedRandom++;
        }
        if (allStored) return Stored;
        if (compressed < SampleWindows * SampleSize * RepetitiveRatio || repeatedRandom >= 2) return Repetitive;
        return printable >= SampleWindows * SampleSize * TextShare ? Text : Binary;
    }

    /// <summary>Bytes that are printable ASCII, tab, LF or CR.</summary>
    private static int PrintableCount(ReadOnlySpan<byte> bytes)
    {
        int total = bytes.Length, other = 0;
        for (int at; (at = bytes.IndexOfAnyExceptInRange((byte)' ', (byte)'~')) >= 0; bytes = bytes[(at + 1)..])
            if (bytes[at] is not ((byte)'\t' or (byte)'\n' or (byte)'\r')) other++;
        return total - other;
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
