using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Blobs;

/// <summary>
/// The layer blob's file, under its hashes: a segment copied out of the last blob (<see cref="LayerBlobWriter.CopySegment"/>)
/// is cloned there first (<see cref="ExtentClone"/>: on XFS and btrfs the new blob shares the old one's extents), and
/// the same bytes, when they then come through the hashes, are not written again. Segments start and end on block
/// boundaries in every blob (<see cref="GzipPadding"/>), so the clone lines up; where the file system cannot share, or
/// the ranges do not line up, nothing is cloned and the bytes are written as they come.
/// </summary>
internal sealed class CloningOutput(FileStream file) : Stream
{
    private long _skip;

    /// <summary>How many bytes share the extents of another blob.</summary>
    public long Cloned { get; private set; }

    /// <summary>
    /// On the member writer's thread, when everything before the segment is written: the next <paramref name="length"/>
    /// bytes are those of <paramref name="source"/> at <paramref name="offset"/>.
    /// </summary>
    public void Expect(string source, long offset, long length)
    {
        file.Flush();
        long at = file.Position;
        if (at % GzipPadding.Alignment != 0 || offset % GzipPadding.Alignment != 0) return;
        try
        {
            using var input = File.OpenHandle(source, FileMode.Open, FileAccess.Read);
            if (!ExtentClone.TryCloneRange(input, offset, length, file.SafeFileHandle, at)) return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return; // written as it comes; the copy's own read reports a missing source
        }
        file.Position = at + length;
        _skip = length;
        Cloned += length;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_skip > 0)
        {
            int n = (int)Math.Min(_skip, buffer.Length);
            _skip -= n;
            buffer = buffer[n..];
        }
        if (!buffer.IsEmpty) file.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    public override void Flush() => file.Flush();
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
