using System.Security.Cryptography;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Signing;

/// <summary>
/// An ECDSA P-256 private key in a PEM file (PKCS#8, encrypted or not, as <c>openssl genpkey</c> writes it; SEC1
/// "EC PRIVATE KEY" is read too), the key of sigstore signatures (<see cref="SigstoreSigner"/>). The file's text and
/// the passphrase are never put in a message: errors name the file and what is wrong.
/// </summary>
internal static class PemSigningKey
{
    /// <summary>The OID of NIST P-256 (secp256r1), the curve cosign and containers/image sign with.</summary>
    private const string P256 = "1.2.840.10045.3.1.7";

    public static ECDsa Load(string path, string pem, string? passphrase)
    {
        var label = PemLabel(pem);
        var key = ECDsa.Create();
        try
        {
            switch (label)
            {
                case "ENCRYPTED PRIVATE KEY":
                    if (string.IsNullOrEmpty(passphrase))
                        throw new ContainerSdkException(Codes.SigningKeyPassphrase,
                            $"ContainerSigningKey {path} is encrypted: set the environment variable CONTAINERSDK_SIGNING_KEY_PASSWORD to its passphrase.");
                    try { key.ImportFromEncryptedPem(pem, passphrase); }
                    catch (Exception e) when (e is CryptographicException or ArgumentException && !IsOtherKeyType(pem, passphrase))
                    {
                        throw new ContainerSdkException(Codes.SigningKeyPassphrase,
                            $"ContainerSigningKey {path}: the passphrase in CONTAINERSDK_SIGNING_KEY_PASSWORD does not decrypt the key.");
                    }
                    catch (Exception e) when (e is CryptographicException or ArgumentException)
                    {
                        throw NotEcdsa(path);
                    }
                    break;
                case "PRIVATE KEY" or "EC PRIVATE KEY":
                    try { key.ImportFromPem(pem); }
                    catch (Exception e) when (e is CryptographicException or ArgumentException) { throw NotEcdsa(path); }
                    break;
                case null:
                    throw new ContainerSdkException(Codes.SigningKeyInvalid, $"ContainerSigningKey {path} is a file, but holds no PEM private key.");
                default:
                    throw new ContainerSdkException(Codes.SigningKeyInvalid,
                        $"ContainerSigningKey {path} holds a PEM '{label}', not a private key: expected an ECDSA P-256 key in PKCS#8 (BEGIN PRIVATE KEY or BEGIN ENCRYPTED PRIVATE KEY).");
            }
            var curve = key.ExportParameters(includePrivateParameters: false).Curve;
            if (curve.Oid?.Value != P256)
                throw new ContainerSdkException(Codes.SigningKeyInvalid,
                    $"ContainerSigningKey {path} is an ECDSA key on curve {curve.Oid?.FriendlyName ?? curve.Oid?.Value ?? "(explicit parameters)"}; sigstore signatures need P-256 (prime256v1).");
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The label of the first PEM block ("PRIVATE KEY"), or null when the text holds none.</summary>
    public static string? PemLabel(string text) =>
        PemEncoding.TryFind(text, out var fields) ? text[fields.Label] : null;

    /// <summary>Whether the passphrase does decrypt the key, as an RSA key: then it is the key's type that is wrong, not the passphrase.</summary>
    private static bool IsOtherKeyType(string pem, string passphrase)
    {
        using var rsa = RSA.Create();
        try { rsa.ImportFromEncryptedPem(pem, passphrase); return true; }
        catch (CryptographicException) { return false; }
        catch (ArgumentException) { return false; }
    }

    private static ContainerSdkException NotEcdsa(string path) =>
        new(Codes.SigningKeyInvalid, $"ContainerSigningKey {path} is not an ECDSA private key: expected ECDSA P-256 in PKCS#8 (`openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`).");
}
