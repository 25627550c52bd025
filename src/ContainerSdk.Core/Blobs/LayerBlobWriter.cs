using System.IO.Compression;
using System.Security.Cryptography;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Blobs;

/// <summary>One bundle segment inside a layer blob: where its gzip members lie, and their SHA-256 (hex).</summary>
internal sealed record BlobSegment(string Name, long Offset, long Length, string Sha256);

/// <summary>A segment <see cref="LayerBlobWriter.CopySegment"/> could not take from its source blob: write the layer without copies.</summary>
internal sealed class SegmentCopyException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>What <see cref="LayerBlobWriter.Complete"/> produced: the blob's descriptor and file, and the tar's diffID.</summary>
internal sealed record LayerBlob(Descriptor Descriptor, Digest DiffId, long UncompressedSize, string BlobPath)
{
    /// <summary>Where a cache found it, when that is not this machine ("the registry cache host/name"), for the per-layer line.</summary>
    public string? Origin { get; init; }

    /// <summary>Where the bundle's segments lie in a gzip blob, when it travels between caches (written here, or from a registry cache).</summary>
    internal IReadOnlyList<BlobSegment>? Segments { get; init; }

    /// <summary>The cache read the blob and checked its digest again (it was touched since it was last checked), for the per-layer line.</summary>
    public bool HashedAgain { get; init; }

    /// <summary>A far cache's download of it began before the layer's files were hashed (a prefetch by the layer's shape), for the per-layer line.</summary>
    public bool Prefetched { get; init; }

    /// <summary>
    /// The registry repository ("host[:port]/name") that holds the blob when it was left there (a build that needs no
    /// layer's bytes: GenerateContainerImageLayout false), else null; <see cref="BlobPath"/> is then empty.
    /// </summary>
    public string? Remote { get; init; }
}

/// <summary>
/// Takes a layer's uncompressed tar bytes and writes the compressed blob, computing the diffID (sha256 of the tar) and
/// the digest (sha256 of the blob) in the same single pass: tar -> hash -> compressor -> hash -> temp file.
/// <see cref="Complete"/> renames the temp file to <c>&lt;directory&gt;/&lt;hex&gt;</c>; disposing without it deletes the temp file.
/// </summary>
internal sealed class LayerBlobWriter : Stream, IInPlaceSink
{
    private readonly string _directory;
    private readonly LayerCompression _compression;
    private readonly string _tempPath;
    private readonly FileStream _file;
    private readonly CloningOutput _output;
    private readonly HashingWriteStream _compressed;
    private readonly HashingWriteStream? _segmentHash;
    private readonly Stream? _compressor;
    private readonly List<BlobSegment> _segments = new();
    private long _segmentStart;
    private readonly IncrementalHash _tarHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _tarSize;
    // What GetMemory last handed out: the gzip chunk's free space, or (other compressions) a buffer of our own.
    private Memory<byte> _lent;
    private byte[]? _scratch;
    private bool _completed;
    private bool _disposed;

    private LayerBlobWriter(string directory, LayerCompression compression, LayerCompressionLevel level)
    {
        _directory = directory;
        _compression = compression;
        Directory.CreateDirectory(directory);
        _tempPath = Path.Combine(directory, TempFiles.NewName("layer"));
        _file = new FileStream(_tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        _output = new CloningOutput(_file);
        _compressed = new HashingWriteStream(_output);
        _compressor = compression switch
        {
            // Members compressed on every core; each member's header is normalized (mtime 0, OS Unix).
            LayerCompression.Gzip => new ParallelGzipStream(_segmentHash = new HashingWriteStream(_compressed), level),
            // Single-threaded zstd is deterministic for a given level and library version.
            LayerCompression.Zstd => new ZstdSharp.CompressionStream(_compressed, 3, 0, leaveOpen: true),
            LayerCompression.None => null,
            _ => throw new ArgumentOutOfRangeException(nameof(compression)),
        };
    }

    /// <param name="level">ContainerLayerCompressionLevel (gzip only).</param>
    public static LayerBlobWriter Create(string directory, LayerCompression compression, LayerCompressionLevel level = LayerCompressionLevel.Default) =>
        new(directory, compression, level);

    public static string MediaTypeOf(LayerCompression compression) => compression switch
    {
        LayerCompression.Gzip => MediaTypes.LayerGzip,
        LayerCompression.Zstd => MediaTypes.LayerZstd,
        _ => MediaTypes.LayerTar,
    };

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed) throw new InvalidOperationException("The layer blob is already complete.");
        _tarHash.AppendData(buffer);
        _tarSize += buffer.Length;
        (_compressor ?? _compressed).Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    public override void WriteByte(byte value) => Write(new[] { value });

    Memory<byte> IInPlaceSink.GetMemory()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed) throw new InvalidOperationException("The layer blob is already complete.");
        return _lent = _compressor is IInPlaceSink sink ? sink.GetMemory() : (_scratch ??= new byte[1 << 16]);
    }

    void IInPlaceSink.Advance(int count)
    {
        var filled = _lent.Span[..count];
        _lent = default;
        if (_compressor is not IInPlaceSink sink)
        {
            Write(filled);
            return;
        }
        _tarHash.AppendData(filled);
        _tarSize += count;
        sink.Advance(count);
    }

    /// <summary>
    /// The tar bytes taken so far (written or copied), for a progress line read on another thread: a plain read of the
    /// writer's own counter, so the write path pays nothing for it.
    /// </summary>
    public long TarBytes => Volatile.Read(ref _tarSize);

    /// <summary>Whether <see cref="EndSegment"/> records anything: the bundle is gzip, so only a gzip layer's bytes serve it.</summary>
    public bool RecordsSegments => _compressor is ParallelGzipStream;

    /// <summary>
    /// Ends a bundle segment (named by the caller from its entries) after the bytes written so far: its
    /// gzip members end here, so they are exactly what compressing the segment alone gives, and the bundle can copy
    /// them out of the blob (<see cref="Segments"/>) instead of compressing the same bytes again.
    /// </summary>
    public void EndSegment(string name)
    {
        if (_compressor is not ParallelGzipStream parallel) return;
        // Its members end on a block boundary, so the next segment starts on one, and a copy can share extents.
        parallel.Align();
        parallel.EndMember(end =>
        {
            _segments.Add(new BlobSegment(name, _segmentStart, end - _segmentStart, _segmentHash!.TakeDigest().Hex));
            _segmentStart = end;
        });
    }

    /// <summary>
    /// Appends a whole segment as another gzip blob of this writer's making holds it (<paramref name="held"/>: where, and
    /// its SHA-256), instead of compressing its entries: a layer rebuilt after one file changed copies every segment
    /// whose entries are as before out of its last blob. Segments are compressed alone, so the copy is byte for byte
    /// what compressing the entries would write, and the layer's digest is the one a cold build gives. The tar bytes
    /// for the diffID are those the copied members inflate to, so the diffID always describes the blob as written.
    /// Throws <see cref="SegmentCopyException"/> when the source cannot be read or its bytes are not the segment's
    /// (found as they are copied): this writer is then spoiled, and the layer must be written without copies.
    /// </summary>
    internal void CopySegment(string name, string sourceBlob, BlobSegment held, bool trusted = false)
    {
        if (_compressor is not ParallelGzipStream parallel) throw new InvalidOperationException("Only a gzip layer holds segments.");
        parallel.EndMember(_ =>
        {
            // Bytes BlobStamps vouches for need no second look: the index's SHA-256 was taken as they were written.
            if (trusted) _segmentHash!.Hashing = false;
            // Shared with the last blob where the file system can: the bytes read below are then hashed, not written.
            _output.Expect(sourceBlob, held.Offset, held.Length);
        });
        try
        {
            // The members are read once: the inflater pulls them through the feed, which hands each piece it has
            // consumed on to the member writer as it is.
            using var feed = new MemberFeed(OpenRange(sourceBlob, held), held.Length, parallel);
            using (var inflated = new GZipStream(feed, CompressionMode.Decompress, leaveOpen: true))
            {
                var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
                try
                {
                    for (int n; (n = inflated.Read(buffer, 0, buffer.Length)) > 0;)
                    {
                        _tarHash.AppendData(buffer, 0, n);
                        _tarSize += n;
                    }
                }
                finally { System.Buffers.ArrayPool<byte>.Shared.Return(buffer); }
            }
            if (!feed.Finish()) throw new InvalidDataException("its gzip members end before the segment does");
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new SegmentCopyException($"segment {name} of {sourceBlob} could not be read ({e.Message})", e);
        }
        parallel.EndMember(end =>
        {
            // On the member writer's thread, once the copy is written: a mismatch fails the next write or Complete.
            string sha256 = trusted ? held.Sha256 : _segmentHash!.TakeDigest().Hex;
            _segmentHash!.Hashing = true;
            if (!sha256.Equals(held.Sha256, StringComparison.OrdinalIgnoreCase))
                throw new SegmentCopyException($"segment {name} of {sourceBlob} is not what its index says (its bytes were changed)");
            _segments.Add(new BlobSegment(name, _segmentStart, end - _segmentStart, sha256));
            _segmentStart = end;
        });
        CopiedSegments++;
    }

    /// <summary>How many segments <see cref="CopySegment"/> appended.</summary>
    public int CopiedSegments { get; private set; }

    /// <summary>How many bytes of the blob share extents with the blobs segments were copied from (XFS, btrfs); 0 elsewhere.</summary>
    public long SharedBytes => _output.Cloned;

    private static Stream OpenRange(string blob, BlobSegment segment)
    {
        var file = new FileStream(blob, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        if (file.Length < segment.Offset + segment.Length)
        {
            file.Dispose();
            throw new EndOfStreamException($"the blob ends before byte {segment.Offset + segment.Length}");
        }
        file.Position = segment.Offset;
        return new SliceStream(file, segment.Length);
    }

    /// <summary>The segments ended so far, where their members lie in the blob; complete after <see cref="Complete"/>.</summary>
    internal IReadOnlyList<BlobSegment> Segments => _segments;

    /// <summary>Finishes the compressed stream and moves the blob to its content address.</summary>
    public LayerBlob Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed) throw new InvalidOperationException("The layer blob is already complete.");
        _completed = true;
        try
        {
            if (_compressor is ParallelGzipStream parallel) parallel.Finish();
            _compressor?.Dispose(); // writes the trailer (gzip CRC and size, zstd end frame)
            _compressed.Flush();
            _file.Flush(flushToDisk: true);
            _file.Dispose();

            var digest = _compressed.GetDigest();
            var size = _compressed.BytesWritten;
            var diffId = Digest.FromSha256Bytes(_tarHash.GetCurrentHash());
            var blobPath = Path.Combine(_directory, digest.Hex);
            var existing = new FileInfo(blobPath);
            if (existing.Exists && existing.Length == size) File.Delete(_tempPath);
            else File.Move(_tempPath, blobPath, overwrite: true);
            return new LayerBlob(new Descriptor(MediaTypeOf(_compression), digest, size), diffId, _tarSize, blobPath);
        }
        catch
        {
            try { _file.Dispose(); File.Delete(_tempPath); } catch (IOException) { }
            throw;
        }
    }

    public override void Flush() { }
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_completed && !_disposed;
    public override long Length => _tarSize;
    public override long Position { get => _tarSize; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            if (!_completed)
            {
                try { _compressor?.Dispose(); } catch (IOException) { } // the file may be what failed
                try { _file.Dispose(); } catch (IOException) { }
                try { File.Delete(_tempPath); } catch (IOException) { }
            }
            _segmentHash?.Dispose();
            _compressed.Dispose();
            _tarHash.Dispose();
        }
        base.Dispose(disposing);
    }
}
