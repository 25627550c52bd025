using System.Security.Cryptography;
using System.Text;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Signing;

namespace ContainerSdk.Tests.Signing;

/// <summary>
/// ContainerSigningKey read as the publish step reads it: which kind of key a value is, the coded error for each way a
/// key is wrong, and that no message holds a byte of the key or the passphrase. The keys are made here by .NET.
/// </summary>
public sealed class SigningKeysTests
{
    private const string Passphrase = "correct horse battery staple 7";

    private static Func<string, string?> Env(string? passphrase) =>
        name => name == SigningKeys.PassphraseVariable ? passphrase : null;

    private static ContainerSdkException Refused(string key, string? store, string folder, string? passphrase = null) =>
        Assert.Throws<ContainerSdkException>(() => SigningKeys.Open(key, store, folder, Env(passphrase)));

    private static string WriteKey(TempDir dir, string name, string pem)
    {
        string path = dir.Combine(name);
        File.WriteAllText(path, pem);
        return path;
    }

    [Fact]
    public void A_blank_key_signs_nothing()
    {
        using var dir = new TempDir("signing");
        Assert.Null(SigningKeys.Open("  ", null, dir.Path, Env(null)));
    }

    [Fact]
    public void An_encrypted_P256_key_opens_with_its_passphrase_and_signs_what_its_public_key_verifies()
    {
        using var dir = new TempDir("signing");
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = ecdsa.ExportEncryptedPkcs8PrivateKeyPem(Passphrase, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000));
        WriteKey(dir, "key.pem", pem);

        // Relative to the project's folder, as the property is written.
        using var signer = SigningKeys.Open("key.pem", null, dir.Path, Env(Passphrase));
        Assert.IsType<SigstoreSigner>(signer);

        var wrong = Refused("key.pem", null, dir.Path, "not " + Passphrase);
        Assert.Equal(Codes.SigningKeyPassphrase, wrong.Code);
        Assert.Contains("CONTAINERSDK_SIGNING_KEY_PASSWORD", wrong.Message);
        var none = Refused("key.pem", null, dir.Path);
        Assert.Equal(Codes.SigningKeyPassphrase, none.Code);
        foreach (var message in new[] { wrong.Message, none.Message })
        {
            Assert.DoesNotContain(Passphrase, message);
            Assert.DoesNotContain(pem.Split('\n')[1], message);
        }
    }

    [Fact]
    public void Keys_that_are_not_ECDSA_P256_private_keys_are_refused_with_CSDK3040()
    {
        using var dir = new TempDir("signing");
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa = RSA.Create(2048);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        WriteKey(dir, "p384.pem", p384.ExportPkcs8PrivateKeyPem());
        WriteKey(dir, "rsa.pem", rsa.ExportPkcs8PrivateKeyPem());
        WriteKey(dir, "public.pem", p256.ExportSubjectPublicKeyInfoPem());
        WriteKey(dir, "notes.txt", "not a key\n");
        var rsaEncrypted = rsa.ExportEncryptedPkcs8PrivateKeyPem(Passphrase, new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 1000));
        WriteKey(dir, "rsa-encrypted.pem", rsaEncrypted);

        Assert.Contains("P-256", Refused("p384.pem", null, dir.Path).Message);
        foreach (var file in new[] { "p384.pem", "rsa.pem", "public.pem", "notes.txt" })
            Assert.Equal(Codes.SigningKeyInvalid, Refused(file, null, dir.Path).Code);
        // The passphrase is right: the key's type is what is wrong, and the error says so rather than blaming the passphrase.
        Assert.Equal(Codes.SigningKeyInvalid, Refused("rsa-encrypted.pem", null, dir.Path, Passphrase).Code);
    }

    [Fact]
    public void A_missing_key_file_is_CSDK3043_and_a_GPG_name_without_a_store_is_CSDK3041()
    {
        using var dir = new TempDir("signing");
        var missing = Refused("keys/site.pem", "store", dir.Path);
        Assert.Equal(Codes.SigningKeyNotFound, missing.Code);
        Assert.Contains(dir.Combine("keys", "site.pem"), missing.Message);

        Assert.Equal(Codes.SignatureStoreMissing, Refused("Site CI <ci@example.org>", null, dir.Path).Code);
        Assert.Equal(Codes.SignatureStoreMissing,
            Assert.Throws<ContainerSdkException>(() => SigningKeys.CheckStore("0123456789ABCDEF0123456789ABCDEF01234567", "", dir.Path)).Code);
        // A PEM key needs no store; nor does a value that is a path.
        SigningKeys.CheckStore("keys/site.pem", null, dir.Path);
    }

    [Fact]
    public void The_payloads_are_the_simple_signing_documents_containers_image_and_cosign_read()
    {
        var digest = Digest.Compute("manifest"u8);
        Assert.Equal(
            $$$"""{"critical":{"identity":{"docker-reference":"reg.example:5000/hpc/site:1"},"image":{"docker-manifest-digest":"{{{digest}}}"},"type":"atomic container signature"},"optional":{"creator":"ContainerSdk"}}""",
            Encoding.UTF8.GetString(SimpleSigningPayload.Atomic("reg.example:5000/hpc/site:1", digest)));
        Assert.Equal(
            $$$"""{"critical":{"identity":{"docker-reference":"reg.example:5000/hpc/site:1"},"image":{"docker-manifest-digest":"{{{digest}}}"},"type":"cosign container image signature"},"optional":null}""",
            Encoding.UTF8.GetString(SimpleSigningPayload.Cosign("reg.example:5000/hpc/site:1", digest)));
        Assert.Equal(("reg.example:5000/hpc/site:1", digest.ToString()),
            SimpleSigningPayload.Read(SimpleSigningPayload.Cosign("reg.example:5000/hpc/site:1", digest), SimpleSigningPayload.CosignType));
        Assert.Null(SimpleSigningPayload.Read(SimpleSigningPayload.Cosign("r/x:1", digest), SimpleSigningPayload.AtomicType));
        Assert.Null(SimpleSigningPayload.Read("not json"u8, SimpleSigningPayload.AtomicType));
    }

    [Fact]
    public void The_lookaside_store_lays_signatures_out_as_skopeo_does_and_never_overwrites_one()
    {
        using var dir = new TempDir("signing");
        var store = new LookasideStore(dir.Combine("sigstore"));
        var digest = Digest.Compute("manifest"u8);
        var first = store.Add("hpc/site", digest, [1, 2, 3]);
        var second = store.Add("hpc/site", digest, [4]);
        Assert.Equal(dir.Combine("sigstore", $"hpc/site@sha256={digest.Hex}", "signature-1"), first);
        Assert.Equal(dir.Combine("sigstore", $"hpc/site@sha256={digest.Hex}", "signature-2"), second);
        Assert.Equal(new byte[][] { [1, 2, 3], [4] }, store.Read("hpc/site", digest).Select(s => s.Bytes).ToArray());
        Assert.Equal(new[] { "signature-1", "signature-2" }, Directory.GetFiles(store.FolderOf("hpc/site", digest)).Select(Path.GetFileName).Order().ToArray());
    }
}
