using ContainerSdk.Core.IO;
using ContainerSdk.Core.Diagnostics;
using ICSharpCode.SharpZipLib.GZip;

namespace ContainerSdk.Core.Blobs;

/// <summary>
/// .NET's GZipStream ends quietly when a gzip file stops inside its 8-byte trailer (CRC-32 and size): the tar inside
/// can look complete although the file was cut. At the end of the stream this compares the trailer's size field (the
/// file's last 4 bytes) with the bytes decompressed. A mismatch is either a cut file or a multi-member gzip (whose last
/// trailer counts only the last member): SharpZipLib, which checks every member's CRC and size, then decides.
/// </summary>
internal sealed class GzipEndCheck : IO.ReadOnlyStream
{
    private readonly Stream _decompressed;
    private readonly string _path;
    private long _total;
    private bool _checked;

    public GzipEndCheck(Stream decompressed, string path)
    {
        _decompressed = decompressed;
        _path = path;
    }

    public override int Read(Span<byte> buffer)
    {
        int read = _decompressed.Read(buffer);
        _total += read;
        if (read == 0 && buffer.Length > 0 && !_checked)
        {
            _checked = true;
            if (LastSizeField() != (uint)_total) VerifyEveryMember();
        }
        return read;
    }

    private uint? LastSizeField()
    {
        using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        if (file.Length < 18) return null; // smaller than the smallest gzip member
        Span<byte> tail = stackalloc byte[4];
        file.Seek(-4, SeekOrigin.End);
        file.ReadExactly(tail);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(tail);
    }

    private void VerifyEveryMember()
    {
        try
        {
            using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            using var gzip = new GZipInputStream(file);
            gzip.CopyTo(Stream.Null, 1 << 16);
        }
        catch (Exception e) when (e is IOException or ICSharpCode.SharpZipLib.SharpZipBaseException)
        {
            throw new ContainerSdkException(Codes.CorruptCompression, $"'{_path}' is not valid gzip data: {e.Message} (the file is cut or damaged).", _path, inner: e);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _decompressed.Dispose();
        base.Dispose(disposing);
    }
}
