using System.Security.Cryptography;
using System.Text;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;
using ContainerSdk.Core.Signing;
using ContainerSdk.Tests.Registry;

namespace ContainerSdk.Tests.Signing;

/// <summary>
/// The two signers against their real counterparts: gpg with a throwaway keyring (a passphrase-protected key), and a
/// docker-registry for the cosign <c>.sig</c> manifest. What is checked: a signature already there for the same key is
/// kept and not made again; another key's signature is kept beside a new one.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class SignersTests
{
    private const string Passphrase = "gpg pass phrase 9";

    /// <summary>A GNUPGHOME with one ed25519 key protected by <see cref="Passphrase"/>, its agent stopped when disposed.</summary>
    private sealed class Keyring : IDisposable
    {
        private readonly string _gpg;

        public Keyring(TempDir dir, string name)
        {
            _gpg = Tools.Require("gpg");
            Home = dir.Combine(name);
            Directory.CreateDirectory(Home);
            Tree.Chmod(Home, "700");
            // The agent protects a key with a passphrase by an iterated hash calibrated to be slow (7 s here): a test key needs no such cost.
            Tree.FileAt(Path.Combine(Home, "gpg-agent.conf"), "s2k-count 65536\n", "600");
            Tools.Run(_gpg, "--homedir", Home, "--batch", "--pinentry-mode", "loopback", "--passphrase", Passphrase, "--quick-gen-key",
                $"{name} <{name}@example.org>", "ed25519", "sign", "never").EnsureSuccess("gpg --quick-gen-key");
            // The agent would remember the passphrase from the key's making: a fresh one knows nothing.
            StopAgent();
        }

        public string Home { get; }

        private void StopAgent() => Tools.Run(Path.Combine(Path.GetDirectoryName(_gpg)!, "gpgconf"), "--homedir", Home, "--kill", "gpg-agent");

        public void Dispose() => StopAgent();
    }

    [Fact]
    internal void A_protected_GPG_key_needs_its_passphrase_and_a_signature_it_made_is_not_made_again()
    {
        using var dir = new TempDir("gpg-signer");
        using var keyring = new Keyring(dir, "signer");
        string store = dir.Combine("sigstore");
        var env = (string? passphrase) => (Func<string, string?>)(n => n == SigningKeys.PassphraseVariable ? passphrase : n == "GNUPGHOME" ? keyring.Home : null);

        Assert.Equal(Codes.SigningKeyPassphrase, Assert.Throws<ContainerSdkException>(() => SigningKeys.Open("signer@example.org", store, dir.Path, env("wrong"))).Code);
        Assert.Equal(Codes.SigningKeyPassphrase, Assert.Throws<ContainerSdkException>(() => SigningKeys.Open("signer@example.org", store, dir.Path, env(null))).Code);
        Assert.Equal(Codes.SigningKeyNotFound, Assert.Throws<ContainerSdkException>(() => SigningKeys.Open("nobody@example.org", store, dir.Path, env(Passphrase))).Code);

        var image = new SignedImage("reg.example:5000", "hpc/site", new[] { "1", "latest" }, Digest.Compute("manifest"u8));
        var log = new TranscriptLog();
        using (var signer = SigningKeys.Open("signer@example.org", store, dir.Path, env(Passphrase))!)
        {
            signer.Sign(image, new SigningContext(new RegistryOptions(), log));
            signer.Sign(image, new SigningContext(new RegistryOptions(), log));
        }
        var lookaside = new LookasideStore(store);
        var signatures = lookaside.Read("hpc/site", image.ManifestDigest).ToList();
        Assert.Equal(2, signatures.Count);
        Assert.Equal(2, log.Lines.Count(l => l.Contains("already in")));
        var gpg = Tools.Require("gpg");
        var payload = Tools.Run(gpg, "--homedir", keyring.Home, "--batch", "--decrypt", signatures[0].Path).EnsureSuccess("gpg --decrypt").StdOut;
        Assert.Equal(Encoding.UTF8.GetString(SimpleSigningPayload.Atomic("reg.example:5000/hpc/site:1", image.ManifestDigest)), payload);
        Assert.DoesNotContain(Passphrase, log.All);
    }

    [Fact]
    internal async Task The_sig_manifest_keeps_other_keys_signatures_and_gets_none_twice()
    {
        await using var reg = await RegistryServer.StartAsync();
        using var dir = new TempDir("sigstore-signer");
        var options = TestRegistryOptions.Plain(reg, dir.Combine("home"));
        var log = new TranscriptLog();
        var image = new SignedImage(reg.Host, "hpc/site", new[] { "1", "2" }, Digest.Compute("manifest"u8));
        using var first = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var second = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Manifest Signatures()
        {
            using var client = new RegistryClient(reg.Host, options, log);
            return Manifest.Parse(client.GetManifestAsync("hpc/site", SigstoreSigner.SignatureTag(image.ManifestDigest)).GetAwaiter().GetResult().Json);
        }
        void Sign(ECDsa key)
        {
            // The signer disposes its key: give it a copy.
            var copy = ECDsa.Create();
            copy.ImportParameters(key.ExportParameters(includePrivateParameters: true));
            using var signer = new SigstoreSigner("key.pem", copy);
            signer.Sign(image, new SigningContext(options, log));
        }

        Sign(first);
        var once = Signatures();
        Assert.Equal(2, once.Layers.Count);
        Sign(first);
        Assert.Equal(once.ToJson(), Signatures().ToJson());
        Sign(second);
        var both = Signatures();
        Assert.Equal(4, both.Layers.Count);
        static string Text(Descriptor d) => $"{d.MediaType} {d.Digest} {d.Annotations![SigstoreSigner.SignatureAnnotation]}";
        Assert.Equal(once.Layers.Select(Text), both.Layers.Take(2).Select(Text));

        // Each layer: the payload of one reference, signed by one of the keys.
        foreach (var (layer, i) in both.Layers.Select((l, i) => (l, i)))
        {
            var payload = SimpleSigningPayload.Cosign($"{reg.Host}/hpc/site:{(i % 2 == 0 ? "1" : "2")}", image.ManifestDigest);
            Assert.Equal(Digest.Compute(payload), layer.Digest);
            var signature = Convert.FromBase64String(layer.Annotations![SigstoreSigner.SignatureAnnotation]);
            Assert.True((i < 2 ? first : second).VerifyData(payload, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
            Assert.False((i < 2 ? second : first).VerifyData(payload, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        }
    }
}
