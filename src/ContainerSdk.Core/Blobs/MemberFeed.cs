using System.Buffers;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Blobs;

/// <summary>
/// A segment's gzip members, read once from the blob that holds them (<see cref="LayerBlobWriter.CopySegment"/>): the
/// inflater that feeds the diffID pulls them through here in chunk-sized pieces, and each piece it has consumed goes on,
/// as it is, to the new blob's member writer (<see cref="ParallelGzipStream.AppendMember"/>). An inflater copies what it
/// reads into a buffer of its own, so a piece is handed on only once it asks for the next.
/// </summary>
internal sealed class MemberFeed(Stream members, long length, ParallelGzipStream output) : ReadOnlyStream
{
    private long _left = length;
    private byte[]? _piece;
    private int _at, _size;

    public override int Read(Span<byte> buffer)
    {
        if (_piece is not null && _at == _size) HandOn();
        if (_piece is null)
        {
            if (_left == 0) return 0;
            _size = (int)Math.Min(ParallelGzipStream.ChunkSize, _left);
            _piece = GzipBuffers.Rent(_size);
            _at = 0;
            members.ReadExactly(_piece, 0, _size);
            _left -= _size;
        }
        int n = Math.Min(buffer.Length, _size - _at);
        _piece.AsSpan(_at, n).CopyTo(buffer);
        _at += n;
        return n;
    }

    /// <summary>Hands on a last piece the inflater consumed whole; false when it stopped short of the segment's end.</summary>
    public bool Finish()
    {
        if (_piece is not null && _at == _size) HandOn();
        return _left == 0 && _piece is null;
    }

    private void HandOn()
    {
        var piece = _piece!;
        _piece = null;
        output.AppendMember(piece, _size);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (_piece is not null) GzipBuffers.Return(_piece);
            _piece = null;
            members.Dispose();
        }
        base.Dispose(disposing);
    }
}
