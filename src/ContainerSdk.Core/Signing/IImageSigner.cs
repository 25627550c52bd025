using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Core.Signing;

/// <summary>
/// A key that signs what <c>dotnet publish</c> pushed (ContainerSigningKey), opened and checked by
/// <see cref="SigningKeys.Open"/> before the push. A signature that exists already for the same manifest, name and key is
/// not made again.
/// </summary>
internal interface IImageSigner : IDisposable
{
    /// <summary>What the key is, for the log: never a byte of it.</summary>
    string Description { get; }

    /// <summary>Signs <paramref name="image"/>'s manifest under each of its references.</summary>
    void Sign(SignedImage image, SigningContext context);

    void IDisposable.Dispose() { }
}

/// <summary>How a signer reaches the registry (sigstore signatures go there) and the log.</summary>
internal sealed record SigningContext(RegistryOptions Registries, IBuildLog Log, CancellationToken Cancellation = default);
