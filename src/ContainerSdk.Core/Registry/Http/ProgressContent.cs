using System.Net;

namespace ContainerSdk.Core.Registry;

/// <summary>
/// A request body passed through as it is, with a call back each time a piece of it goes out: a large blob on a slow
/// link takes longer than the response timeout and is still healthy, so only an upload that stops moving times out.
/// </summary>
internal sealed class ProgressContent(HttpContent inner, Action progress) : HttpContent
{
    /// <summary>The body of <paramref name="inner"/>, its headers (type, length) kept; disposing it disposes the inner one.</summary>
    public static ProgressContent Wrap(HttpContent inner, Action progress)
    {
        var content = new ProgressContent(inner, progress);
        foreach (var (name, values) in inner.Headers) content.Headers.TryAddWithoutValidation(name, values);
        return content;
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        inner.CopyToAsync(new ProgressStream(stream, progress), context, cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        length = inner.Headers.ContentLength ?? -1;
        return length >= 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>Writes to the connection, then reports that the upload moved.</summary>
    private sealed class ProgressStream(Stream inner, Action progress) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            progress();
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            progress();
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
