namespace ContainerSdk.Core.Blobs;

/// <summary>How a layer blob is compressed (ContainerLayerCompression): its media type and the bytes the blob writer emits.</summary>
internal enum LayerCompression { Gzip, Zstd, None }
