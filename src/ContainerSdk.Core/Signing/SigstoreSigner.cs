using System.Security.Cryptography;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Core.Signing;

/// <summary>
/// Sigstore signatures with a site's own key, as cosign and containers/image (<c>sigstoreSigned</c>,
/// <c>use-sigstore-attachments</c>) read them: the cosign simple signing payload of each reference, signed with ECDSA
/// P-256 over SHA-256 (an ASN.1 DER signature, base64), as one layer of the manifest tagged
/// <c>sha256-&lt;hex&gt;.sig</c> in the image's repository (cosign's SIGNATURE_SPEC), the signature in the layer's
/// <c>dev.cosignproject.cosign/signature</c> annotation. No transparency log, no certificate: the public key is the trust.
/// </summary>
internal sealed class SigstoreSigner(string path, ECDsa key) : IImageSigner
{
    public const string PayloadMediaType = "application/vnd.dev.cosign.simplesigning.v1+json";
    public const string SignatureAnnotation = "dev.cosignproject.cosign/signature";

    public string Description => $"the ECDSA P-256 key {path}";

    /// <summary>cosign's tag for <paramref name="digest"/>'s signatures.</summary>
    public static string SignatureTag(Digest digest) => $"{digest.Algorithm}-{digest.Hex}.sig";

    public void Sign(SignedImage image, SigningContext context)
    {
        var cancel = context.Cancellation;
        using var client = new RegistryClient(image.Registry, context.Registries, context.Log);
        string tag = SignatureTag(image.ManifestDigest);
        var layers = ExistingLayers(client, image.Repository, tag, cancel).ToList();
        int added = 0;
        foreach (var reference in image.References)
        {
            var payload = SimpleSigningPayload.Cosign(reference, image.ManifestDigest);
            var digest = Digest.Compute(payload);
            // ECDSA signatures differ at each signing: an existing one is recognised by its payload and this key's verdict.
            if (layers.Any(l => l.Digest == digest && IsOurs(l, payload)))
            {
                context.Log.Info($"Signature of {reference} ({image.ManifestDigest}) by {Description}: already in {image.Registry}/{image.Repository}:{tag}");
                continue;
            }
            var signature = key.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            var layer = new Descriptor(PayloadMediaType, digest, payload.Length)
            {
                Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal) { [SignatureAnnotation] = Convert.ToBase64String(signature) },
            };
            Upload(client, image.Repository, layer, payload, cancel);
            layers.Add(layer);
            added++;
            context.Log.Info($"Signed {reference} ({image.ManifestDigest}) with {Description}: {image.Registry}/{image.Repository}:{tag}");
        }
        if (added == 0) return;
        var config = CosignConfig(layers);
        var configDescriptor = new Descriptor(MediaTypes.ImageConfig, Digest.Compute(config), config.Length);
        Upload(client, image.Repository, configDescriptor, config, cancel);
        var manifest = new Manifest { MediaType = MediaTypes.ImageManifest, Config = configDescriptor, Layers = layers };
        client.PutManifestAsync(image.Repository, tag, manifest.ToJson(), MediaTypes.ImageManifest, cancel).GetAwaiter().GetResult();
    }

    private bool IsOurs(Descriptor layer, byte[] payload)
    {
        if (layer.MediaType != PayloadMediaType || layer.Annotations?.GetValueOrDefault(SignatureAnnotation) is not { } encoded) return false;
        try
        {
            return key.VerifyData(payload, Convert.FromBase64String(encoded), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>The layers of the signature manifest the tag holds (other keys' signatures are kept), or none.</summary>
    private static IReadOnlyList<Descriptor> ExistingLayers(RegistryClient client, string repository, string tag, CancellationToken cancel)
    {
        ManifestDocument document;
        try
        {
            document = client.GetManifestAsync(repository, tag, cancel).GetAwaiter().GetResult();
        }
        catch (ContainerSdkException e) when (e.Code == Codes.RegistryNotFound)
        {
            return Array.Empty<Descriptor>();
        }
        try
        {
            if (document.IsIndex) throw new FormatException("it is an index");
            return Manifest.Parse(document.Json).Layers;
        }
        catch (FormatException e)
        {
            throw new ContainerSdkException(Codes.SigstoreManifestInvalid,
                $"{client.Registry}/{repository}:{tag} is not a signature manifest ({e.Message}); nothing was signed. Delete the tag, or sign with a GPG key.");
        }
    }

    private static void Upload(RegistryClient client, string repository, Descriptor descriptor, byte[] bytes, CancellationToken cancel)
    {
        if (client.BlobSizeAsync(repository, descriptor.Digest, cancel).GetAwaiter().GetResult() is not null) return;
        client.UploadBlobAsync(repository, descriptor, () => new MemoryStream(bytes, writable: false), cancel: cancel).GetAwaiter().GetResult();
    }

    /// <summary>
    /// The config cosign's signature images carry (go-containerregistry's empty image with one uncompressed layer per
    /// signature): zero times, no platform, the payloads as diff IDs.
    /// </summary>
    private static byte[] CosignConfig(IReadOnlyList<Descriptor> layers) => OciJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("architecture", "");
        w.WriteString("created", "0001-01-01T00:00:00Z");
        w.WriteStartArray("history");
        foreach (var _ in layers)
        {
            w.WriteStartObject();
            w.WriteString("created", "0001-01-01T00:00:00Z");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("os", "");
        w.WriteStartObject("rootfs");
        w.WriteString("type", "layers");
        w.WriteStartArray("diff_ids");
        foreach (var layer in layers) w.WriteStringValue(layer.Digest.ToString());
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartObject("config");
        w.WriteEndObject();
        w.WriteEndObject();
    });

    public void Dispose() => key.Dispose();
}
