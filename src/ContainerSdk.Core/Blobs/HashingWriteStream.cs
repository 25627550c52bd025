using ContainerSdk.Core.Oci;
using System.Security.Cryptography;

namespace ContainerSdk.Core.Blobs;

/// <summary>
/// A write-only pass-through that hashes (SHA-256) and counts what goes to the inner stream, so a digest costs no
/// second read of the file. Optionally normalizes the gzip header's OS byte, see <see cref="NormalizeGzipHeader"/>.
/// </summary>
internal sealed class HashingWriteStream : Stream
{
    private readonly Stream _inner;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly bool _leaveOpen;

    public HashingWriteStream(Stream inner, bool leaveOpen = true)
    {
        _inner = inner;
        _leaveOpen = leaveOpen;
    }

    /// <summary>
    /// zlib writes the gzip header with mtime 0 but with the OS byte (offset 9) of the platform it was built for
    /// (3 on Unix, 10 on Windows): forcing 3 ("Unix") keeps a layer's digest the same wherever it is built.
    /// The header carries no CRC of itself (FHCRC is never set by zlib), so the patch keeps the stream valid.
    /// </summary>
    public bool NormalizeGzipHeader { get; init; }

    public long BytesWritten { get; private set; }

    /// <summary>False while bytes whose digest is already known pass through (counted and written, not hashed).</summary>
    public bool Hashing { get; set; } = true;

    public Digest GetDigest() => Digest.FromSha256Bytes(_hash.GetCurrentHash());

    /// <summary>The digest of the bytes written since the last call (or since the start); the next call starts over.</summary>
    public Digest TakeDigest() => Digest.FromSha256Bytes(_hash.GetHashAndReset());

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (NormalizeGzipHeader && BytesWritten < 10 && !buffer.IsEmpty)
        {
            // Header bytes 4..7 are the mtime (zlib writes 0; make sure of it), byte 9 the OS.
            var copy = buffer.ToArray();
            for (long at = 4; at <= 9; at++)
            {
                long j = at - BytesWritten;
                if (at != 8 && j >= 0 && j < copy.Length) copy[j] = at == 9 ? (byte)3 : (byte)0;
            }
            buffer = copy;
        }
        if (Hashing) _hash.AppendData(buffer);
        _inner.Write(buffer);
        BytesWritten += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    public override void WriteByte(byte value) => Write(new[] { value });
    public override void Flush() => _inner.Flush();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => BytesWritten;
    public override long Position { get => BytesWritten; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            if (!_leaveOpen) _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
