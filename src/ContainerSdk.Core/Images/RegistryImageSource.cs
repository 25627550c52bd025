using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Core.Images;

/// <summary>
/// A base image in a registry (<c>docker://host[:port]/repository[:tag|@sha256:…]</c>): pulled into the blob store of
/// ContainerCacheDirectory, where its blobs are used in place. A tag costs one manifest request per build; a digest
/// whose blobs are all in the store costs none.
/// </summary>
internal sealed class RegistryImageSource(RegistryOptions options, string storeDirectory, IBuildLog log) : IImageSourceKind
{
    public string Name => "registry";

    public bool Recognizes(string location, string itemSpec) => RegistryReference.IsRegistryReference(location);

    /// <summary>A tag may move between builds: the registry is asked each build (one manifest request).</summary>
    public string? ResolutionKey(ImageRequest request, Func<string, byte[]> hashFile) => null;

    public IImageSource Open(ImageRequest request) => Open(request, RegistryReference.Parse(request.Location), layers: true);

    public bool IsRemote => true;

    /// <summary>The manifest and config pulled, the layers left in the image's repository (a publish-only build mounts them from there).</summary>
    public RemoteImage? OpenDocuments(ImageRequest request)
    {
        var reference = RegistryReference.Parse(request.Location);
        return new RemoteImage(Open(request, reference, layers: false), $"{reference.Registry}/{reference.Repository}");
    }

    private IImageSource Open(ImageRequest request, RegistryReference reference, bool layers)
    {
        var store = new BlobStore(storeDirectory);
        // What the pull warns of (a config of an unknown type) is about this BaseLayer: reported at its line.
        var pulled = new ImagePuller(options, store, new ItemLog(log, "BaseLayer", request.ItemSpec)).PullAsync(reference, request.Platform, layers: layers).GetAwaiter().GetResult();
        // The store is laid out as an OCI layout's blobs folder: the layout reader reads the image out of it as it is.
        var manifest = new Oci.Descriptor(pulled.Parsed.MediaType, pulled.Digest, pulled.Manifest.Json.Length);
        return OciLayoutReader.OpenFolder(store.Root, request.ItemSpec).ReadImage(manifest, reference.ToString(), layersHere: layers);
    }
}
