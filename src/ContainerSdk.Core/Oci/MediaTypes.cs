namespace ContainerSdk.Core.Oci;

internal static class MediaTypes
{
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string ImageConfig = "application/vnd.oci.image.config.v1+json";
    public const string LayerTar = "application/vnd.oci.image.layer.v1.tar";
    public const string LayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string LayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";

    /// <summary>The empty descriptor's type (OCI image spec 1.1): the config of an artifact that needs none, the two bytes <c>{}</c>.</summary>
    public const string Empty = "application/vnd.oci.empty.v1+json";
    /// <summary>A CycloneDX JSON SBOM, as IANA registers it: the artifactType and the layer type of the SBOM artifact.</summary>
    public const string CycloneDxJson = "application/vnd.cyclonedx+json";
    /// <summary>The bundle's ACL dump (getfacl -R text, what setfacl --restore reads): ContainerSdk's own artifactType, no registered one exists.</summary>
    public const string AclDump = "application/vnd.containersdk.acl-dump.v1+text";

    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
}
