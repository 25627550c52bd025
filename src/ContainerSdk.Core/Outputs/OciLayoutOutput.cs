using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Outputs;

/// <summary>The OCI image layout folder (ContainerImageLayoutPath): what every other output is read back from.</summary>
internal sealed class OciLayoutOutput : IImageWriter
{
    public IReadOnlyList<string> Names { get; } = new[] { "oci-layout" };

    public ImageWriteResult Write(BuiltImage image, string destination, ImageWriteContext context)
    {
        var layout = new OciLayoutWriter(destination, context.BlobStamps);
        OciLayoutWriter.Write(image, image.Index, layout);
        context.Log.Info($"Image {image.Repository} written to {layout.LayoutPath}: manifest {image.ManifestDescriptor.Digest}, tags {string.Join(", ", image.Tags)}");
        return new ImageWriteResult(image.ManifestDescriptor.Digest, image.Manifest.Config.Digest, image.Tags, layout.LayoutPath);
    }
}
