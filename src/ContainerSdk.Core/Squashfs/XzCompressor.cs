using System.Runtime.InteropServices;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Squashfs;

/// <summary>
/// xz streams made by the system's liblzma (liblzma.so.5: on every Debian system, as dpkg needs it). No managed xz encoder
/// is worth the name on NuGet (the ones there decompress only or wrap this same library), and liblzma's output is what
/// mksquashfs writes: one LZMA2 filter at preset 6 with the dictionary cut to the block size (the kernel's decoder
/// allocates no more than a block, so a larger dictionary would not mount), CRC32 check.
/// </summary>
internal sealed unsafe class XzCompressor : BlockCompressor
{
    private const string Library = "liblzma.so.5";
    private const ulong FilterLzma2 = 0x21;
    private const ulong VliUnknown = ulong.MaxValue;
    private const int CheckCrc32 = 1;
    private const int LzmaOk = 0;
    private const int LzmaBufError = 10;
    private const uint Preset = 6;
    // sizeof(lzma_options_lzma) is 112 bytes in liblzma 5.x; room to spare, as its reserved fields may grow.
    private const int OptionsSize = 512;

    // Read only once filled, so shared by every thread's encoder.
    private readonly IntPtr _options;

    public XzCompressor(int dictionarySize)
    {
        try
        {
            _options = (IntPtr)NativeMemory.AllocZeroed(OptionsSize);
            if (lzma_lzma_preset(_options, Preset) != 0) throw new InvalidOperationException("lzma_lzma_preset failed");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new ContainerSdkException(Codes.SquashfsCompressorUnavailable,
                $"xz compression needs the system's {Library} (Debian's package liblzma5), which could not be loaded: {e.Message}", inner: e);
        }
        // The first field of lzma_options_lzma is dict_size.
        *(uint*)_options = (uint)dictionarySize;
    }

    public override int Compress(ReadOnlySpan<byte> input, byte[] output)
    {
        var filters = stackalloc Filter[2];
        filters[0] = new Filter { Id = FilterLzma2, Options = _options };
        filters[1] = new Filter { Id = VliUnknown, Options = IntPtr.Zero };
        nuint written = 0;
        int result;
        fixed (byte* source = input)
        fixed (byte* destination = output)
            // Room for one byte less than the input: a block that does not shrink is stored as it is.
            result = lzma_stream_buffer_encode(filters, CheckCrc32, IntPtr.Zero, source, (nuint)input.Length, destination, &written, (nuint)(input.Length - 1));
        if (result == LzmaBufError) return -1;
        if (result != LzmaOk) throw new ContainerSdkException(Codes.SquashfsCompressorUnavailable, $"liblzma failed to compress a block (lzma_ret {result}).");
        return (int)written;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Filter
    {
        public ulong Id;
        public IntPtr Options;
    }

    [DllImport(Library)]
    private static extern byte lzma_lzma_preset(IntPtr options, uint preset);

    [DllImport(Library)]
    private static extern int lzma_stream_buffer_encode(Filter* filters, int check, IntPtr allocator, byte* input, nuint inputSize, byte* output, nuint* outputPosition, nuint outputSize);
}
