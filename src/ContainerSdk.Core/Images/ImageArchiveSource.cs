using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Images;

/// <summary>
/// An image archive, plain or compressed: an oci-archive (index.json and oci-layout) or a docker-archive
/// (manifest.json), told apart by the files it holds once opened. Its blobs are copied out.
/// </summary>
internal sealed class ImageArchiveSource : IImageSourceKind
{
    public string Name => "image archive";

    public bool Recognizes(string location, string itemSpec) => File.Exists(location) && ImageArchiveProbe.IsImageArchive(location, itemSpec);

    /// <summary>An unchanged archive (by content, through the stat cache) resolves as before: it is not read again.</summary>
    public string? ResolutionKey(ImageRequest request, Func<string, byte[]> hashFile) => Convert.ToHexString(hashFile(request.Location));

    public IImageSource Open(ImageRequest request)
    {
        var files = new TarImageFiles(request.Location, request.ItemSpec, request.SpoolDirectory);
        if (files.Exists("index.json") && files.Exists("oci-layout"))
            return OciImageResolver.Resolve(files, request.Reference, request.Platform);
        if (files.Exists("manifest.json"))
            return DockerArchiveResolver.Resolve(files, request.Reference);
        throw new ContainerSdkException(Codes.InvalidBaseImage,
            $"'{request.ItemSpec}' looks like an image archive but has neither index.json (oci-archive) nor manifest.json (docker-archive).");
    }
}
