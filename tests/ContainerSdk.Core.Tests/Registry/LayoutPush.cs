using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Outputs;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Tests.Registry;

/// <summary>
/// Pushes the image of a test layout the way the engine pushes a build's: read by the one layout reader
/// (<see cref="BuiltImage.FromLayout"/>), its blobs listed as the registry writer lists them, sent through
/// <see cref="ImagePusher.PushAsync"/>. The tests keep the push's own result (what each blob cost).
/// </summary>
internal static class LayoutPush
{
    /// <param name="tags">The tags to push under; null for the layout's own.</param>
    /// <param name="mountFrom">A repository of the same registry that may hold a blob already.</param>
    public static Task<PushResult> PushLayoutAsync(this ImagePusher pusher, string layoutPath, string registry, string repository, IReadOnlyList<string>? tags,
        Func<Digest, string?>? mountFrom = null, CancellationToken cancel = default)
    {
        var image = BuiltImage.FromLayout(layoutPath, repository);
        var blobs = RegistryImageWriter.BlobsOf(image, mountFrom ?? (_ => null));
        return pusher.PushAsync(registry, repository, tags ?? image.Tags, image.ManifestJson, image.ManifestDescriptor.MediaType, blobs, cancel);
    }
}
