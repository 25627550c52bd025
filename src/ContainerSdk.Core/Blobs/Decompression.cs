using ContainerSdk.Core.IO;
using ContainerSdk.Core.Diagnostics;
using ICSharpCode.SharpZipLib.BZip2;
using System.IO.Compression;

namespace ContainerSdk.Core.Blobs;

internal enum StreamCompression { None, Gzip, Bzip2, Zstd }

/// <summary>
/// Compressed input read as plain bytes: the compression is told by the file's magic bytes, never by its name,
/// and a decompressor's failure becomes a coded error naming the file.
/// </summary>
internal static class Decompression
{
    /// <summary>
    /// The file as a plain (seekable) tar: itself when it is not compressed, else decompressed once into
    /// <paramref name="spoolDirectory"/> under a name given by its path (a second call in one build finds it).
    /// </summary>
    public static string ToPlainFile(string path, string spoolDirectory)
    {
        if (DetectCompression(path) == StreamCompression.None) return path;
        string name = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(path))))[..16].ToLowerInvariant();
        string spool = Path.Combine(spoolDirectory, name + ".tar");
        using var temp = new TempFile(spool);
        using (var input = OpenDecompressed(path))
        using (var output = temp.Create())
            input.CopyTo(output, 1 << 16);
        temp.Commit();
        return spool;
    }

    /// <summary>The compression its first bytes (at least four, where the stream has them) announce.</summary>
    public static StreamCompression Detect(ReadOnlySpan<byte> magic)
    {
        int n = magic.Length;
        if (n >= 2 && magic[0] == 0x1F && magic[1] == 0x8B) return StreamCompression.Gzip;
        if (n >= 3 && magic[0] == (byte)'B' && magic[1] == (byte)'Z' && magic[2] == (byte)'h') return StreamCompression.Bzip2;
        if (n >= 4 && magic[0] == 0x28 && magic[1] == 0xB5 && magic[2] == 0x2F && magic[3] == 0xFD) return StreamCompression.Zstd;
        return StreamCompression.None;
    }

    public static StreamCompression DetectCompression(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        int n;
        try
        {
            using var file = File.OpenRead(path);
            n = file.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ContainerSdkException(Codes.InputUnreadable, $"Cannot read '{path}': permission denied.", path, inner: e);
        }
        return Detect(magic[..n]);
    }

    /// <summary>Opens a file and wraps the decompressor its magic bytes call for.</summary>
    public static Stream OpenDecompressed(string path)
    {
        var compression = DetectCompression(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var stream = Decompress(file, compression, path);
        return compression == StreamCompression.Gzip ? new GzipEndCheck(stream, path) : stream;
    }

    public static Stream Decompress(Stream compressed, StreamCompression compression, string name) => compression switch
    {
        StreamCompression.Gzip => new DecompressionErrors(() => new GZipStream(compressed, CompressionMode.Decompress), compressed, name, "gzip"),
        StreamCompression.Bzip2 => new DecompressionErrors(() => new BZip2InputStream(compressed), compressed, name, "bzip2"),
        StreamCompression.Zstd => new DecompressionErrors(() => new ZstdSharp.DecompressionStream(compressed), compressed, name, "zstd"),
        _ => compressed,
    };

    /// <summary>
    /// Turns a decompressor's exceptions into a coded error naming the archive. The decompressor is made on the first
    /// read, inside the same guard: BZip2InputStream reads (and may reject) the stream's header in its constructor.
    /// </summary>
    private sealed class DecompressionErrors(Func<Stream> open, Stream compressed, string name, string format) : ReadOnlyStream
    {
        private Stream? inner;

        public override int Read(Span<byte> buffer)
        {
            try { return (inner ??= open()).Read(buffer); }
            // Damaged data can make a decompressor fail in any way, not only in its documented ones: SharpZipLib's bzip2
            // decoder throws IndexOutOfRangeException on some (found by fuzzing, bench/fuzz). Everything but
            // cancellation and our own coded errors is the archive's fault.
            catch (Exception e) when (e is not (ContainerSdkException or OperationCanceledException or OutOfMemoryException))
            {
                throw new ContainerSdkException(Codes.CorruptCompression, $"'{name}' is not valid {format} data: {e.Message}", name, inner: e);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) (inner ?? compressed).Dispose();
            base.Dispose(disposing);
        }
    }
}
