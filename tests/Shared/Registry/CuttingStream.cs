namespace ContainerSdk.Tests.Registry;

/// <summary>Thrown by <see cref="CuttingStream"/> when a request body reached the byte it is cut at.</summary>
internal sealed class BodyCutException() : IOException("request body cut on purpose");

/// <summary>
/// Where a test server copies a request body it means to cut: what comes is written on (and counted) up to
/// <c>cutAt</c> bytes, then <see cref="BodyCutException"/> stops the copy, and the server resets the connection,
/// the way a network drop between client and registry does.
/// </summary>
internal sealed class CuttingStream(Stream inner, long? cutAt, Action<long>? counted = null) : Stream
{
    private long _written;

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int take = cutAt is { } cut ? (int)Math.Min(buffer.Length, cut - _written) : buffer.Length;
        await inner.WriteAsync(buffer[..take], cancellationToken);
        _written += take;
        counted?.Invoke(take);
        if (cutAt == _written) throw new BodyCutException();
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
