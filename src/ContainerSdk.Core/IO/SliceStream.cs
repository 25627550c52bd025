namespace ContainerSdk.Core.IO;

/// <summary>A read-only window of <c>length</c> bytes from the current position of an owned stream.</summary>
internal sealed class SliceStream(Stream inner, long length) : IO.ReadOnlyStream
{
    private long _remaining = length;

    public override long Length { get; } = length;
    public override long Position { get => Length - _remaining; set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0) return 0;
        int n = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
