using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Outputs;

/// <summary>The OCI image layout folder (ContainerImageLayoutPath): what every other output is read back from.</summary>
public sealed class OciLayoutOutput : IImageWriter
{
    public IReadOnlyList<string> Names { get; } = new[] { "oci-layout" };

    public void Write(BuiltImage image, string destination, ImageWriteContext context)
    {
        var layout = new OciLayoutWriter(destination, context.BlobStamps);
        foreach (var layer in image.Manifest.Layers)
            layout.AddBlobFromFile(image.BlobFile(layer.Digest)!, layer);
        foreach (var document in new[] { image.Manifest.Config, image.ManifestDescriptor })
        {
            using var stream = image.OpenBlob(document.Digest);
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            layout.AddBlob(bytes, document.MediaType);
        }
        layout.WriteIndex(image.Index);
        context.Log.Info($"Image {image.Repository} written to {layout.LayoutPath}: manifest {image.ManifestDescriptor.Digest}, tags {string.Join(", ", image.Tags)}");
    }
}
