using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Signing;

/// <summary>
/// ContainerSigningKey, read once: a path to a file with a PEM header is a PEM private key (sigstore signatures in the
/// registry), anything else a GPG key name (simple signing into ContainerSignatureStore). The key is opened and
/// tried here, before anything is pushed, so that a missing key or a wrong passphrase costs no upload.
/// </summary>
internal static class SigningKeys
{
    /// <summary>The environment variable holding the key's passphrase: never a property, which MSBuild logs.</summary>
    public const string PassphraseVariable = "CONTAINERSDK_SIGNING_KEY_PASSWORD";

    /// <summary>Largest key file read: a P-256 PEM key is a few hundred bytes; a big file is not one.</summary>
    private const long MaxKeyFileSize = 64 * 1024;

    /// <summary>The signer <paramref name="key"/> names, or null when it is blank (nothing is signed).</summary>
    /// <param name="key">ContainerSigningKey as written.</param>
    /// <param name="store">ContainerSignatureStore as written, or blank.</param>
    /// <param name="baseDirectory">The project's folder, against which relative paths are read.</param>
    /// <param name="environment">Where the passphrase and GNUPGHOME are read from (the process environment).</param>
    public static IImageSigner? Open(string? key, string? store, string baseDirectory, Func<string, string?>? environment = null)
    {
        if (string.IsNullOrWhiteSpace(key)) return null;
        environment ??= Environment.GetEnvironmentVariable;
        string value = key.Trim();
        string? passphrase = environment(PassphraseVariable) is { Length: > 0 } p ? p : null;
        string path = Path.GetFullPath(value, baseDirectory);
        if (File.Exists(path)) return new SigstoreSigner(path, PemSigningKey.Load(path, ReadKeyFile(path), passphrase));
        if (LooksLikePath(value))
            throw new ContainerSdkException(Codes.SigningKeyNotFound,
                $"ContainerSigningKey names the file {path}, which does not exist (a PEM private key: `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem`).");
        CheckStore(key, store, baseDirectory);
        return GpgSigningKey.Open(value, Path.GetFullPath(store!.Trim(), baseDirectory), passphrase, environment("GNUPGHOME") is { Length: > 0 } home ? home : null);
    }

    /// <summary>
    /// A GPG key (a value that names no file and does not look like a path) needs ContainerSignatureStore. Reads no key
    /// and runs no gpg: it runs on every build, where the key may not be present (it often is only where publish runs).
    /// </summary>
    public static void CheckStore(string? key, string? store, string baseDirectory)
    {
        if (string.IsNullOrWhiteSpace(key) || !string.IsNullOrWhiteSpace(store)) return;
        string value = key.Trim();
        if (File.Exists(Path.GetFullPath(value, baseDirectory)) || LooksLikePath(value)) return;
        throw new ContainerSdkException(Codes.SignatureStoreMissing,
            $"ContainerSigningKey '{value}' is a GPG key, whose signatures go to a lookaside store: set ContainerSignatureStore to the folder that registries.d's `lookaside: file://…` names.");
    }

    /// <summary>A GPG name has no slash and no key file's extension; a path that names nothing is a missing file, not a GPG name.</summary>
    private static bool LooksLikePath(string value) =>
        value.Contains('/') || value.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) || value.EndsWith(".key", StringComparison.OrdinalIgnoreCase);

    private static string ReadKeyFile(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxKeyFileSize)
                throw new ContainerSdkException(Codes.SigningKeyInvalid, $"ContainerSigningKey {path} is {info.Length} bytes: too large for a PEM private key.");
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ContainerSdkException(Codes.SigningKeyNotFound, $"ContainerSigningKey {path} cannot be read: {e.Message}", inner: e);
        }
    }
}
