using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Registry;

/// <summary>
/// A blob of another registry read as the push of it reads a file: seekable once, before the first byte (an upload
/// resumed from its session's Range starts there), then read straight off the registry's answer, never stored. Its
/// bytes are not checked here: the registry they are pushed to checks the digest of what it receives.
/// </summary>
internal sealed class RemoteBlobStream(RegistryClient client, string repository, Descriptor blob) : Stream
{
    private long _start;
    private long _position;
    private HttpResponseMessage? _response;
    private Stream? _body;

    public override bool CanRead => true;
    public override bool CanSeek => _body is null;
    public override bool CanWrite => false;
    public override long Length => blob.Size;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        if (_body is not null) throw new NotSupportedException("A blob read from a registry is seekable only before its first byte.");
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => blob.Size + offset,
        };
        if (target < 0 || target > blob.Size) throw new ArgumentOutOfRangeException(nameof(offset));
        return _start = _position = target;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= blob.Size) return 0;
        Open().GetAwaiter().GetResult();
        int n = _body!.Read(buffer);
        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= blob.Size) return 0;
        await Open(cancellationToken);
        int n = await _body!.ReadAsync(buffer, cancellationToken);
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private async Task Open(CancellationToken cancel = default)
    {
        if (_body is not null) return;
        _response = await client.OpenBlobAsync(repository, blob, _start, cancel);
        _body = await _response.Content.ReadAsStreamAsync(cancel);
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body?.Dispose();
            _response?.Dispose();
        }
        base.Dispose(disposing);
    }
}
