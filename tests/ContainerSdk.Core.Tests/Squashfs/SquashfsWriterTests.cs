using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Squashfs;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Squashfs;

/// <summary>The writer's own promises: the same bytes for the same tree, nothing left by a failed write, clear errors.</summary>
public sealed class SquashfsWriterTests
{
    // internal: its parameters name an engine type, which is internal (xunit runs internal test methods too).
    [Theory]
    [InlineData(SquashfsCompression.Gzip)]
    [InlineData(SquashfsCompression.Zstd)]
    internal void The_same_tree_gives_the_same_bytes_whatever_the_threads(SquashfsCompression compression)
    {
        using var dir = new TempDir("sqfs");
        var one = dir.Combine("one.sqsh");
        var two = dir.Combine("two.sqsh");
        SquashfsWriter.Write(one, SquashfsSample.Build().Entries, new SquashfsOptions { Compression = compression, MkfsTime = 1, Threads = 1 }, TestContext.Current.CancellationToken);
        SquashfsWriter.Write(two, SquashfsSample.Build().Entries, new SquashfsOptions { Compression = compression, MkfsTime = 1, Threads = 4 }, TestContext.Current.CancellationToken);
        Assert.True(File.ReadAllBytes(one).AsSpan().SequenceEqual(File.ReadAllBytes(two)), "two writes of one tree differ");

        // The one timestamp is the superblock's creation time (bytes 8-11).
        SquashfsWriter.Write(two, SquashfsSample.Build().Entries, new SquashfsOptions { Compression = compression, MkfsTime = 1234567890, Threads = 2 }, TestContext.Current.CancellationToken);
        Assert.Equal(1234567890u, BitConverter.ToUInt32(File.ReadAllBytes(two), 8));
    }

    [Fact]
    public void A_write_that_fails_midway_leaves_no_image_and_no_temporary_file()
    {
        using var dir = new TempDir("sqfs");
        string image = dir.Combine("out", "image.sqsh");
        bool seenDuring = false;
        var entries = new List<SquashfsEntry>
        {
            new("big", SquashfsEntryType.File) { Size = 10 << 20, OpenContent = () => new FailingStream(4 << 20, () => seenDuring = File.Exists(image)) },
        };
        var error = Assert.Throws<IOException>(() => SquashfsWriter.Write(image, entries, new SquashfsOptions(), TestContext.Current.CancellationToken));
        Assert.Contains("killed", error.Message);
        Assert.False(seenDuring, "the image existed under its name while it was being written");
        Assert.False(File.Exists(image));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Combine("out")));

        // An image that was there before is kept as it was.
        File.WriteAllText(image, "old");
        Assert.Throws<IOException>(() => SquashfsWriter.Write(image, entries, new SquashfsOptions(), TestContext.Current.CancellationToken));
        Assert.Equal("old", File.ReadAllText(image));
        Assert.Single(Directory.EnumerateFileSystemEntries(dir.Combine("out")));
    }

    [Fact]
    public void A_cancelled_write_leaves_no_image()
    {
        using var dir = new TempDir("sqfs");
        string image = dir.Combine("image.sqsh");
        using var cancel = new CancellationTokenSource();
        var entries = SquashfsSample.Build().Entries.Select((e, i) => { if (i == 10) cancel.Cancel(); return e; });
        Assert.ThrowsAny<OperationCanceledException>(() => SquashfsWriter.Write(image, entries, new SquashfsOptions(), cancel.Token));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void A_file_shorter_than_its_size_is_an_error_and_no_image()
    {
        using var dir = new TempDir("sqfs");
        string image = dir.Combine("image.sqsh");
        var entries = new[] { new SquashfsEntry("f", SquashfsEntryType.File) { Size = 200_000, OpenContent = () => new MemoryStream(new byte[150_000]) } };
        var error = Assert.Throws<ContainerSdkException>(() => SquashfsWriter.Write(image, entries, new SquashfsOptions(), TestContext.Current.CancellationToken));
        Assert.Equal(Codes.FileChangedWhileReading, error.Code);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Theory]
    [InlineData("a/b", SquashfsEntryType.HardLink, "missing", "hard link")]
    [InlineData("a", SquashfsEntryType.HardLink, "d", "hard link")]
    [InlineData("d", SquashfsEntryType.Fifo, "", "given twice")]
    [InlineData("f/x", SquashfsEntryType.Fifo, "", "not a folder")]
    [InlineData("../x", SquashfsEntryType.Fifo, "", "'..'")]
    internal void Entries_an_image_cannot_hold_are_errors(string path, SquashfsEntryType type, string target, string why)
    {
        using var dir = new TempDir("sqfs");
        var entries = new[]
        {
            new SquashfsEntry("d", SquashfsEntryType.Directory) { Mode = 0x1ED },
            new SquashfsEntry("f", SquashfsEntryType.Fifo),
            new SquashfsEntry(path, type) { LinkTarget = target },
        };
        var error = Assert.Throws<ContainerSdkException>(() => SquashfsWriter.Write(dir.Combine("i.sqsh"), entries, new SquashfsOptions(), TestContext.Current.CancellationToken));
        Assert.Equal(Codes.SquashfsInvalidEntry, error.Code);
        Assert.Contains(why, error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Times_and_ids_outside_the_format_are_errors()
    {
        using var dir = new TempDir("sqfs");
        var late = new[] { new SquashfsEntry("f", SquashfsEntryType.Fifo) { ModificationTime = 1L << 32 } };
        Assert.Equal(Codes.SquashfsLimitExceeded, Assert.Throws<ContainerSdkException>(() => SquashfsWriter.Write(dir.Combine("i"), late, new SquashfsOptions(), TestContext.Current.CancellationToken)).Code);
        var owner = new[] { new SquashfsEntry("f", SquashfsEntryType.Fifo) { Uid = -1 } };
        Assert.Equal(Codes.SquashfsLimitExceeded, Assert.Throws<ContainerSdkException>(() => SquashfsWriter.Write(dir.Combine("i"), owner, new SquashfsOptions(), TestContext.Current.CancellationToken)).Code);
        Assert.Equal(Codes.SquashfsInvalidOptions, Assert.Throws<ContainerSdkException>(() => new SquashfsWriter(dir.Combine("i"), new SquashfsOptions { BlockSize = 3000 })).Code);
    }

    /// <summary>Gives zeros, then fails as a killed build's read would end (having called <c>during</c> once).</summary>
    private sealed class FailingStream(long failAt, Action during) : Stream
    {
        private long _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= failAt) { during(); throw new IOException("killed"); }
            int n = (int)Math.Min(count, failAt - _position);
            Array.Clear(buffer, offset, n);
            buffer[offset] = 1; // not a block of zeros: it is compressed and written
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
