using System.Text.Json;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Signing;

/// <summary>
/// The "simple signing" payload that containers/image and cosign sign: which manifest (<c>docker-manifest-digest</c>)
/// under which name (<c>docker-reference</c>). Two types share the shape: <see cref="AtomicType"/> for GPG signatures
/// in a lookaside store, <see cref="CosignType"/> for sigstore signatures in the registry. Written compact with no
/// timestamp, so the same image and name give the same bytes (a signature already made is recognised by them).
/// </summary>
internal static class SimpleSigningPayload
{
    public const string AtomicType = "atomic container signature";
    public const string CosignType = "cosign container image signature";

    /// <summary>containers/image's payload; its <c>optional</c> part names the signer, as skopeo's names "atomic &lt;version&gt;".</summary>
    public static byte[] Atomic(string reference, Digest digest) => Write(reference, digest, AtomicType, w =>
    {
        w.WriteStartObject();
        w.WriteString("creator", "ContainerSdk");
        w.WriteEndObject();
    });

    /// <summary>cosign's payload: <c>"optional": null</c>, as cosign writes it when no annotation is given.</summary>
    public static byte[] Cosign(string reference, Digest digest) => Write(reference, digest, CosignType, w => w.WriteNullValue());

    private static byte[] Write(string reference, Digest digest, string type, Action<Utf8JsonWriter> optional) => OciJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("critical");
        w.WriteStartObject("identity");
        w.WriteString("docker-reference", reference);
        w.WriteEndObject();
        w.WriteStartObject("image");
        w.WriteString("docker-manifest-digest", digest.ToString());
        w.WriteEndObject();
        w.WriteString("type", type);
        w.WriteEndObject();
        w.WritePropertyName("optional");
        optional(w);
        w.WriteEndObject();
    });

    /// <summary>The reference and digest a payload names, or null when it is no simple signing payload of <paramref name="type"/>.</summary>
    public static (string Reference, string Digest)? Read(ReadOnlySpan<byte> payload, string type)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var doc = JsonDocument.ParseValue(ref reader);
            var critical = doc.RootElement.GetProperty("critical");
            if (critical.GetProperty("type").GetString() != type) return null;
            return (critical.GetProperty("identity").GetProperty("docker-reference").GetString()!,
                critical.GetProperty("image").GetProperty("docker-manifest-digest").GetString()!);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }
}
