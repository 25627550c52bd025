namespace ContainerSdk.Core.Oci;

/// <summary>The annotation keys the engine writes and reads, beside <see cref="ImageIndex.RefNameAnnotation"/>.</summary>
internal static class Annotations
{
    public const string Created = "org.opencontainers.image.created";

    /// <summary>containerd's import names images by this annotation; the others ignore it.</summary>
    public const string ContainerdName = "io.containerd.image.name";

    public const string BaseDigest = "org.opencontainers.image.base.digest";
    public const string BaseName = "org.opencontainers.image.base.name";
}
