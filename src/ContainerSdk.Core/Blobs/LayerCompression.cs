namespace ContainerSdk.Core.Blobs;

/// <summary>How a layer blob is compressed (ContainerLayerCompression): its media type and the bytes the blob writer emits.</summary>
internal enum LayerCompression { Gzip, Zstd, None }

/// <summary>
/// ContainerLayerCompressionLevel: the deflate levels a gzip layer's chunks (and the bundle's) are compressed at, by kind
/// of chunk (<see cref="GzipMember.LevelFor"/>). <see cref="Default"/> is today's and keeps every digest, fingerprint and
/// segment name; another level changes all three. Figures: bench/README.md, "Compression".
/// </summary>
internal enum LayerCompressionLevel
{
    /// <summary>Text 4, binaries 3, repetitive data 7.</summary>
    Default,

    /// <summary>Text and binaries 2, repetitive data 7: about a third less deflate time for 1-3% more bytes.</summary>
    Fastest,

    /// <summary>Text and binaries 6, repetitive data 9: 0.3-1% fewer bytes for about a third more deflate time.</summary>
    Smallest,
}
