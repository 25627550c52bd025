namespace ContainerSdk.Core.Squashfs;

/// <summary>The compressors an image may name; the values are the superblock's compressor ids.</summary>
internal enum SquashfsCompression : ushort
{
    /// <summary>zlib streams: every kernel with SquashFS reads them.</summary>
    Gzip = 1,
    Xz = 4,
    Zstd = 6,
}

/// <summary>How an image is written.</summary>
internal sealed record SquashfsOptions
{
    public SquashfsCompression Compression { get; init; } = SquashfsCompression.Gzip;

    /// <summary>Data block size: a power of two from 4 KiB to 1 MiB; 128 KiB as mksquashfs's default.</summary>
    public int BlockSize { get; init; } = 128 * 1024;

    /// <summary>The superblock's creation time (the build's one timestamp, ContainerSourceDateEpoch).</summary>
    public uint MkfsTime { get; init; }

    /// <summary>Data blocks compressed at once; the image is the same bytes whatever this is.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
}
