namespace ContainerSdk.Core.Images;

/// <summary>A folder in OCI image layout (it holds <c>oci-layout</c>): blobs are used where they are.</summary>
internal sealed class OciLayoutSource : IImageSourceKind
{
    public string Name => "oci-layout";

    public bool Recognizes(string location, string itemSpec) =>
        Directory.Exists(location) && File.Exists(Path.Combine(location, "oci-layout"));

    /// <summary>Resolving a folder is cheap and its blobs are linked in place: nothing to keep.</summary>
    public string? ResolutionKey(ImageRequest request, Func<string, byte[]> hashFile) => null;

    public IImageSource Open(ImageRequest request) =>
        OciImageResolver.Resolve(new DirectoryImageFiles(request.Location, request.ItemSpec), request.Reference, request.Platform);
}
