namespace ContainerSdk.Core.Oci;

internal static class MediaTypes
{
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string ImageConfig = "application/vnd.oci.image.config.v1+json";
    public const string LayerTar = "application/vnd.oci.image.layer.v1.tar";
    public const string LayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string LayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";

    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
}
