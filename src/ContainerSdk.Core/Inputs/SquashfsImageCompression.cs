namespace ContainerSdk.Core.Inputs;

/// <summary>
/// ContainerSquashfsCompression: how the SquashFS image's blocks are compressed. Inputs does not use the Squashfs room;
/// the Bundle room maps this to the writer's own compressor ids.
/// </summary>
internal enum SquashfsImageCompression
{
    /// <summary>zlib streams: every kernel and every squashfuse reads them (the default).</summary>
    Gzip,
    Zstd,
    Xz,
}
