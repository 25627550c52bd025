using System.Text;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Signing;

/// <summary>
/// A GPG secret key of the user's keyring, named as <c>skopeo copy --sign-by</c> takes it (a fingerprint or a user id),
/// signing containers/image "simple signing" payloads into a lookaside store (<see cref="LookasideStore"/>).
/// </summary>
/// <remarks>
/// Through the gpg command line rather than a managed OpenPGP library: the key stays in the user's keyring and agent
/// (smartcards and cached passphrases work as for skopeo), and the signature is the binary OpenPGP message GPGME
/// makes for skopeo, which is what containers/image verifies.
/// </remarks>
internal sealed class GpgSigningKey : IImageSigner
{
    private readonly string _name;
    private readonly string _fingerprint;
    private readonly IReadOnlySet<string> _fingerprints;
    private readonly LookasideStore _store;
    private readonly string? _passphrase;
    private readonly string? _home;

    private GpgSigningKey(string name, string fingerprint, IReadOnlySet<string> fingerprints, LookasideStore store, string? passphrase, string? home)
    {
        _home = home;
        _name = name;
        _fingerprint = fingerprint;
        _fingerprints = fingerprints;
        _store = store;
        _passphrase = passphrase;
    }

    public string Description => $"GPG key {_fingerprint}";

    /// <summary>
    /// Finds the one secret key <paramref name="name"/> names and makes a trial signature with it, so that a missing
    /// key or a wrong passphrase fails before anything is pushed.
    /// </summary>
    /// <param name="home">GNUPGHOME, or null for gpg's default (~/.gnupg).</param>
    public static GpgSigningKey Open(string name, string store, string? passphrase, string? home)
    {
        var listed = Gpg.Run(new[] { "--with-colons", "--list-secret-keys", "--", name }, home);
        var records = Encoding.UTF8.GetString(listed.StdOut).Split('\n').Select(l => l.Split(':')).ToList();
        int secrets = records.Count(r => r[0] == "sec");
        if (listed.ExitCode != 0 || secrets == 0)
            throw new ContainerSdkException(Codes.SigningKeyNotFound,
                $"ContainerSigningKey '{name}' is no file and GPG has no secret key of that name (keyring: {home ?? "~/.gnupg"}); " +
                "give a key's fingerprint or user id as `gpg --list-secret-keys` shows it, or the path of a PEM private key.");
        if (secrets > 1)
            throw new ContainerSdkException(Codes.SigningKeyInvalid,
                $"ContainerSigningKey '{name}' names {secrets} GPG secret keys; give the fingerprint of the one to sign with.");
        var sec = records.First(r => r[0] == "sec");
        // Field 12: the key's capabilities; an upper-case S says the key or one of its subkeys can sign now.
        if (sec.Length < 12 || !sec[11].Contains('S'))
            throw new ContainerSdkException(Codes.SigningKeyInvalid,
                $"ContainerSigningKey '{name}': the GPG key has no usable signing key (expired, revoked or encryption-only).");
        var fingerprints = records.Where(r => r[0] == "fpr" && r.Length > 9).Select(r => r[9]).ToList();
        var key = new GpgSigningKey(name, fingerprints[0], fingerprints.ToHashSet(StringComparer.OrdinalIgnoreCase), new LookasideStore(store), passphrase, home);
        key.SignPayload("ContainerSdk checks that the key signs before anything is pushed."u8.ToArray());
        return key;
    }

    public void Sign(SignedImage image, SigningContext context)
    {
        var existing = _store.Read(image.Repository, image.ManifestDigest)
            .Select(s => Verify(s.Bytes))
            .Where(p => p is not null)
            .Select(p => p!.Value)
            .ToList();
        foreach (var reference in image.References)
        {
            if (existing.Contains((reference, image.ManifestDigest.ToString())))
            {
                context.Log.Info($"Signature of {reference} ({image.ManifestDigest}) by {Description}: already in {_store.Root}");
                continue;
            }
            var signature = SignPayload(SimpleSigningPayload.Atomic(reference, image.ManifestDigest));
            var path = _store.Add(image.Repository, image.ManifestDigest, signature);
            context.Log.Info($"Signed {reference} ({image.ManifestDigest}) with {Description}: {path}");
        }
    }

    /// <summary>An OpenPGP message holding <paramref name="payload"/>, signed (gpg --sign, binary, as GPGME makes it for skopeo).</summary>
    private byte[] SignPayload(byte[] payload)
    {
        var args = new List<string> { "--local-user", _fingerprint };
        byte[] input = payload;
        if (_passphrase is not null)
        {
            // The passphrase is the first line of stdin, the payload the rest: never an argument (ps would show it) nor a file.
            args.AddRange(new[] { "--pinentry-mode", "loopback", "--passphrase-fd", "0" });
            input = Encoding.UTF8.GetBytes(_passphrase + "\n").Concat(payload).ToArray();
        }
        args.AddRange(new[] { "--output", "-", "--sign" });
        var result = Gpg.Run(args, _home, input);
        if (result.ExitCode == 0 && result.Status.Any(s => s.StartsWith("SIG_CREATED ", StringComparison.Ordinal))) return result.StdOut;
        if (NeedsPassphrase(result))
            throw new ContainerSdkException(Codes.SigningKeyPassphrase, _passphrase is null
                ? $"ContainerSigningKey '{_name}': the GPG key needs its passphrase; set the environment variable CONTAINERSDK_SIGNING_KEY_PASSWORD (or unlock the key in gpg-agent first)."
                : $"ContainerSigningKey '{_name}': the passphrase in CONTAINERSDK_SIGNING_KEY_PASSWORD does not unlock the GPG key.");
        throw new ContainerSdkException(Codes.SigningFailed, $"gpg could not sign with {Description}: {result.Messages}");
    }

    private static bool NeedsPassphrase(Gpg.Result result) =>
        result.Status.Any(s => s.StartsWith("BAD_PASSPHRASE", StringComparison.Ordinal) || s.StartsWith("NEED_PASSPHRASE", StringComparison.Ordinal)
                               || s.StartsWith("PINENTRY_LAUNCHED", StringComparison.Ordinal) || s.StartsWith("MISSING_PASSPHRASE", StringComparison.Ordinal)
                               || (s.StartsWith("FAILURE ", StringComparison.Ordinal) && s.Split(' ') is [_, _, var code]
                                   && int.TryParse(code, out var c) && (c & 0xFFFF) is 11 or 177));

    /// <summary>
    /// The reference and digest an existing signature names, when it is a good signature by this key (its primary key
    /// or a subkey): the one that containers/image would accept from this key. Null for anything else.
    /// </summary>
    private (string Reference, string Digest)? Verify(byte[] signature)
    {
        var result = Gpg.Run(new[] { "--output", "-", "--decrypt" }, _home, signature);
        if (result.ExitCode != 0) return null;
        var valid = result.Status.FirstOrDefault(s => s.StartsWith("VALIDSIG ", StringComparison.Ordinal))?.Split(' ');
        if (valid is null || !valid.Skip(1).Any(_fingerprints.Contains)) return null;
        return SimpleSigningPayload.Read(result.StdOut, SimpleSigningPayload.AtomicType);
    }
}
