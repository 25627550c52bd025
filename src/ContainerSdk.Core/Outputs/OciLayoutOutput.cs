using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Outputs;

/// <summary>The OCI image layout folder (ContainerImageLayoutPath): what every other output is read back from.</summary>
public sealed class OciLayoutOutput : IImageWriter
{
    public IReadOnlyList<string> Names { get; } = new[] { "oci-layout" };

    public ImageWriteResult Write(BuiltImage image, string destination, ImageWriteContext context)
    {
        var layout = new OciLayoutWriter(destination, context.BlobStamps);
        for (int i = 0; i < image.Layers.Count; i++)
            layout.AddBlobFromFile(image.BlobFile(i)!, image.Layers[i].Descriptor);
        layout.AddBlob(image.ConfigJson, image.Manifest.Config.MediaType);
        layout.AddBlob(image.ManifestJson, image.ManifestDescriptor.MediaType);
        layout.WriteIndex(image.Index);
        context.Log.Info($"Image {image.Repository} written to {layout.LayoutPath}: manifest {image.ManifestDescriptor.Digest}, tags {string.Join(", ", image.Tags)}");
        return new ImageWriteResult(image.ManifestDescriptor.Digest, image.Manifest.Config.Digest, image.Tags, layout.LayoutPath);
    }
}
