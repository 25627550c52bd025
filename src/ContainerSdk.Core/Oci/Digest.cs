using System.Security.Cryptography;

namespace ContainerSdk.Core.Oci;

/// <summary>A content address, "sha256:&lt;64 hex&gt;". Immutable and compared by value.</summary>
internal readonly record struct Digest
{
    private Digest(string algorithm, string hex)
    {
        Algorithm = algorithm;
        Hex = hex;
    }

    public string Algorithm { get; }
    public string Hex { get; }

    public static Digest FromSha256Bytes(ReadOnlySpan<byte> hash) => new("sha256", Convert.ToHexString(hash).ToLowerInvariant());

    public static Digest Compute(ReadOnlySpan<byte> content) => FromSha256Bytes(SHA256.HashData(content));

    public static Digest Compute(Stream content) => FromSha256Bytes(SHA256.HashData(content));

    public static Digest Parse(string text)
    {
        if (!TryParse(text, out var digest)) throw new FormatException($"'{text}' is not a sha256 digest (sha256:<64 lower-case hex digits>).");
        return digest;
    }

    public static bool TryParse(string? text, out Digest digest)
    {
        digest = default;
        if (text is null || !text.StartsWith("sha256:", StringComparison.Ordinal) || text.Length != 7 + 64) return false;
        foreach (char c in text.AsSpan(7))
            if (!(c is >= '0' and <= '9' or >= 'a' and <= 'f')) return false;
        digest = new Digest("sha256", text[7..]);
        return true;
    }

    public override string ToString() => Algorithm is null ? "" : $"{Algorithm}:{Hex}";
}
