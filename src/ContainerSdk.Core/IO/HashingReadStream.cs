using System.Security.Cryptography;

namespace ContainerSdk.Core.IO;

/// <summary>Passes reads through and hashes what passed, so content is hashed in the same read that writes it.</summary>
internal sealed class HashingReadStream(Stream inner) : ReadOnlyStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public byte[] GetHash() => _hash.GetHashAndReset();

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        _hash.AppendData(buffer[..n]);
        return n;
    }

    public override long Length => inner.Length;

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}
