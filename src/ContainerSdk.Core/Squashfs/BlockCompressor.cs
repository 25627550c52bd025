using System.IO.Compression;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Squashfs;

/// <summary>
/// Compresses one block (a data block, a fragment block or an 8 KiB metadata block) on its own, as SquashFS stores each.
/// Safe to call from several threads at once.
/// </summary>
internal abstract class BlockCompressor
{
    /// <summary>
    /// Compresses <paramref name="input"/> into <paramref name="output"/> (at least <see cref="OutputSize"/> long) and returns
    /// the compressed length, or -1 when it would not be shorter than the input: such a block is stored as it is, as mksquashfs does.
    /// </summary>
    public abstract int Compress(ReadOnlySpan<byte> input, byte[] output);

    /// <summary>The output buffer a block of <paramref name="inputLength"/> bytes needs.</summary>
    public virtual int OutputSize(int inputLength) => inputLength + inputLength / 8 + 128;

    public static BlockCompressor For(SquashfsCompression compression, int blockSize) => compression switch
    {
        SquashfsCompression.Gzip => new ZlibCompressor(),
        SquashfsCompression.Zstd => new ZstdCompressor(),
        SquashfsCompression.Xz => new XzCompressor(blockSize),
        _ => throw new ContainerSdkException(Codes.SquashfsInvalidOptions, $"SquashFS compression {compression} is not one this writer knows (gzip, xz, zstd)."),
    };
}

/// <summary>
/// zlib streams (RFC 1950), what SquashFS calls gzip. Level 6 (<see cref="CompressionLevel.Optimal"/>): mksquashfs's 9
/// costs about twice the time for well under 1% on text and binaries.
/// </summary>
internal sealed class ZlibCompressor : BlockCompressor
{
    public override int Compress(ReadOnlySpan<byte> input, byte[] output)
    {
        using var buffer = new MemoryStream(output, 0, output.Length, writable: true);
        using (var zlib = new ZLibStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(input);
        return buffer.Position < input.Length ? (int)buffer.Position : -1;
    }
}

/// <summary>zstd frames at level 15, mksquashfs's default level; one compression context per thread.</summary>
internal sealed class ZstdCompressor : BlockCompressor
{
    private const int Level = 15;

    [ThreadStatic] private static ZstdSharp.Compressor? _compressor;

    public override int OutputSize(int inputLength) => (int)ZstdSharp.Compressor.GetCompressBound(inputLength);

    public override int Compress(ReadOnlySpan<byte> input, byte[] output)
    {
        var compressor = _compressor ??= new ZstdSharp.Compressor(Level);
        int length = compressor.Wrap(input, output);
        return length < input.Length ? length : -1;
    }
}
