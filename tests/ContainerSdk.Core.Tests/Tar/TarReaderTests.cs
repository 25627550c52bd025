using System.Text;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Tar;
using static ContainerSdk.Core.Tests.Tar.TarTestArchives;

using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Tar;

public class TarReaderTests
{
    /// <summary>A hand-made header block: lets tests write what our writer never would.</summary>
    private static byte[] RawHeader(string name, char type, long size, string magic = "ustar\0" + "00", byte[]? nameBytes = null, int mode = 0x1A4)
    {
        var block = new byte[512];
        (nameBytes ?? Encoding.UTF8.GetBytes(name)).CopyTo(block, 0);
        UstarBlock.WriteOctal(block, UstarBlock.ModeOffset, 8, mode);
        UstarBlock.WriteOctal(block, UstarBlock.UidOffset, 8, 0);
        UstarBlock.WriteOctal(block, UstarBlock.GidOffset, 8, 0);
        UstarBlock.WriteOctal(block, UstarBlock.SizeOffset, 12, size);
        UstarBlock.WriteOctal(block, UstarBlock.MtimeOffset, 12, 0);
        block[156] = (byte)type;
        Encoding.ASCII.GetBytes(magic).CopyTo(block, 257);
        UstarBlock.WriteChecksum(block);
        return block;
    }

    private static byte[] Padded(byte[] data) => data.Concat(new byte[(512 - data.Length % 512) % 512]).ToArray();

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static ContainerSdkException ReadFails(byte[] archive, string code = Codes.CorruptArchive)
    {
        var ex = Assert.Throws<ContainerSdkException>(() => ReadAll(archive, "broken.tar"));
        Assert.Equal(code, ex.Code);
        Assert.Contains("broken.tar", ex.Message);
        Assert.Equal("broken.tar", ex.File);
        return ex;
    }

    [Fact]
    public void Offsets_point_at_the_first_header_block_and_at_the_data()
    {
        var archive = Write((Regular("a", 700), Enumerable.Repeat((byte)'a', 700).ToArray()),
                            (Regular(new string('l', 300), 3), Bytes("xyz")),
                            (Regular("c", 1), Bytes("c")));
        using var reader = new TarReader(new NonSeekableStream(archive), "t.tar");
        var seen = new List<(long, long)>();
        while (reader.Next() is { } h)
        {
            seen.Add((reader.EntryOffset, reader.DataOffset));
            Assert.Equal(Encoding.ASCII.GetBytes(h.Name[..1] == "a" ? new string('a', 700) : h.Name == "c" ? "c" : "xyz"),
                archive.AsSpan((int)reader.DataOffset, (int)h.Size).ToArray());
            if (h.Name == "c") Assert.Equal("c", Encoding.ASCII.GetString(ReadToEnd(reader.Content)));
            // The others are skipped unread.
        }
        Assert.Equal(new (long, long)[] { (0, 512), (1536, 3072), (3584, 4096) }, seen);
    }

    private static byte[] ReadToEnd(Stream s) { using var m = new MemoryStream(); s.CopyTo(m); return m.ToArray(); }

    [Fact]
    public void Content_stream_is_read_only_forward_only_and_exactly_size_bytes()
    {
        var archive = Write((Regular("a", 10), Bytes("0123456789")));
        using var reader = new TarReader(new MemoryStream(archive), "t.tar");
        reader.Next();
        var content = reader.Content;
        Assert.False(content.CanSeek);
        Assert.False(content.CanWrite);
        var buffer = new byte[100];
        Assert.Equal(10, content.Read(buffer, 0, 100));
        Assert.Equal(0, content.Read(buffer, 0, 100));
        Assert.Null(reader.Next());
        Assert.Throws<InvalidOperationException>(() => content.Read(buffer, 0, 1));
    }

    [Fact]
    public void End_of_archive_is_two_zero_blocks_one_zero_block_then_eof_or_eof_at_a_block_boundary()
    {
        var entry = Concat(RawHeader("a", '0', 1), Padded(Bytes("a")));
        foreach (var archive in new[] { Concat(entry, new byte[1024]), Concat(entry, new byte[512]), entry, Concat(entry, new byte[10240]) })
            Assert.Equal("a", Assert.Single(ReadAll(archive)).Header.Name);
        Assert.Empty(ReadAll(Array.Empty<byte>()));
    }

    [Fact]
    public void Names_are_normalized_and_absolute_names_are_reported()
    {
        var archive = Concat(RawHeader("./etc/passwd", '0', 0), RawHeader("/abs/file", '0', 0), RawHeader("./dir", '5', 0),
            RawHeader("v7dir/", '\0', 0, magic: "\0\0\0\0\0\0\0\0"), RawHeader("contig", '7', 0), RawHeader("hl", '1', 0));
        var names = new List<(string, bool)>();
        using var reader = new TarReader(new MemoryStream(archive), "t.tar");
        var types = new List<TarEntryType>();
        while (reader.Next() is { } h) { names.Add((h.Name, reader.NameWasAbsolute)); types.Add(h.Type); }
        Assert.Equal(new[] { ("etc/passwd", false), ("abs/file", true), ("dir/", false), ("v7dir/", false), ("contig", false), ("hl", false) }, names);
        Assert.Equal(new[] { TarEntryType.Regular, TarEntryType.Regular, TarEntryType.Directory, TarEntryType.Directory, TarEntryType.Regular, TarEntryType.HardLink }, types);
    }

    [Fact]
    public void Gnu_base256_numbers_are_read()
    {
        var block = RawHeader("big", '0', 0);
        // uid 0x80 then big-endian 2^40 in the remaining 7 bytes; mtime -1 as 0xFF...
        var uid = new byte[] { 0x80, 0, 1, 0, 0, 0, 0, 0 };
        uid.CopyTo(block, UstarBlock.UidOffset);
        Enumerable.Repeat((byte)0xFF, 12).ToArray().CopyTo(block, UstarBlock.MtimeOffset);
        UstarBlock.WriteChecksum(block);
        var h = Assert.Single(ReadAll(block)).Header;
        Assert.Equal(1L << 40, h.Uid);
        Assert.Equal(-1, h.ModificationTime);
    }

    [Fact]
    public void Signed_checksums_of_old_writers_are_accepted()
    {
        var block = RawHeader("x", '0', 0);
        block[511] = 0xE9; // unused tail of the block: a high byte makes signed and unsigned sums differ
        var (unsignedSum, signedSum) = UstarBlock.Checksums(block);
        Assert.NotEqual(unsignedSum, signedSum);
        UstarBlock.WriteOctal(block, UstarBlock.ChecksumOffset, 7, signedSum);
        Assert.Equal("x", Assert.Single(ReadAll(block)).Header.Name);
        UstarBlock.WriteOctal(block, UstarBlock.ChecksumOffset, 7, signedSum + 1);
        Assert.Contains("checksum", ReadFails(block).Message);
    }

    [Fact]
    public void Writer_refuses_a_nul_in_a_name()
    {
        Assert.Throws<ArgumentException>(() => Write((Regular("a\0b"), null)));
    }

    [Fact]
    public void Pax_global_headers_apply_owner_and_mtime_to_following_entries()
    {
        var global = PaxRecordCodec.Encode(new[] { KeyValuePair.Create("uid", Bytes("4242")), KeyValuePair.Create("path", Bytes("ignored")), KeyValuePair.Create("mtime", Bytes("1700000000.75")) });
        var local = PaxRecordCodec.Encode(new[] { KeyValuePair.Create("uid", Bytes("7")), KeyValuePair.Create("atime", Bytes("1.5")) });
        var archive = Concat(RawHeader("g", 'g', global.Length), Padded(global), RawHeader("a", '0', 0),
            RawHeader("x", 'x', local.Length), Padded(local), RawHeader("b", '0', 0));
        var entries = ReadAll(archive);
        Assert.Equal(new[] { "a", "b" }, entries.Select(e => e.Header.Name));
        Assert.Equal(new long[] { 4242, 7 }, entries.Select(e => e.Header.Uid));
        Assert.Equal(new long[] { 1700000000, 1700000000 }, entries.Select(e => e.Header.ModificationTime));
        Assert.Empty(entries[1].Header.PaxRecords);
    }

    [Fact]
    public void Negative_fractional_pax_mtime_rounds_down()
    {
        var local = PaxRecordCodec.Encode(new[] { KeyValuePair.Create("mtime", Bytes("-1.5")) });
        var archive = Concat(RawHeader("x", 'x', local.Length), Padded(local), RawHeader("a", '0', 0));
        Assert.Equal(-2, Assert.Single(ReadAll(archive)).Header.ModificationTime);
    }

    [Fact]
    public void A_truncated_archive_names_the_entry()
    {
        var archive = Write((Regular("etc/big", 2000), new byte[2000]), (Regular("etc/next", 0), null));
        Assert.Contains("etc/big", ReadFails(archive[..1500]).Message);
        ReadFails(archive[..(2560 + 100)]); // inside the second header
        var longName = Write((Regular(new string('n', 300), 0), null));
        ReadFails(longName[..700]); // inside the PAX records
    }

    [Fact]
    public void A_bad_checksum_is_reported_with_its_offset()
    {
        var archive = Write((Regular("a", 1), Bytes("a")), (Regular("b", 0), null));
        archive[1024 + 50] = (byte)'!';
        var ex = ReadFails(archive);
        Assert.Contains("checksum", ex.Message);
        Assert.Contains("offset 1024", ex.Message);
        Assert.Contains("'b", ex.Message);
    }

    [Theory]
    [InlineData("99 path=x\n")]            // claims more than the header holds
    [InlineData("5 path=x\n")]             // claims less than its own text
    [InlineData("abc path=x\n")]           // not a number
    [InlineData("11 pathxxx\n")]           // no '='
    [InlineData("10 path=xy")]             // no newline at the end
    [InlineData("99999999999999999999 a=b\n")]
    public void Malformed_pax_records_are_corrupt_archives(string records)
    {
        var data = Bytes(records);
        var archive = Concat(RawHeader("PaxHeaders/victim", 'x', data.Length), Padded(data), RawHeader("victim", '0', 0), new byte[1024]);
        Assert.Contains("victim", ReadFails(archive).Message);
    }

    [Theory]
    [InlineData('x')]
    [InlineData('g')]
    [InlineData('L')]
    [InlineData('K')]
    public void A_huge_claimed_metadata_size_is_refused_without_allocating_it(char type)
    {
        var archive = Concat(RawHeader("././@LongLink", type, 077777777777), new byte[1024]);
        var ex = ReadFails(archive);
        Assert.Contains("claims", ex.Message);
        Assert.Contains("@LongLink", ex.Message);
    }

    [Fact]
    public void Invalid_utf8_names_are_refused()
    {
        var ex = ReadFails(Concat(RawHeader("", '0', 0, nameBytes: new byte[] { (byte)'a', 0xC3, 0x28 }), new byte[1024]));
        Assert.Contains("not valid UTF-8", ex.Message);

        var path = new byte[] { (byte)'b', 0xFF };
        var pax = PaxRecordCodec.Encode(new[] { KeyValuePair.Create("path", path) });
        ReadFails(Concat(RawHeader("PaxHeaders/b", 'x', pax.Length), Padded(pax), RawHeader("b", '0', 0)));

        var gnu = Padded(new byte[] { (byte)'c', 0xFE, 0 });
        ReadFails(Concat(RawHeader("././@LongLink", 'L', 3, magic: "ustar  \0"), gnu, RawHeader("c", '0', 0, magic: "ustar  \0")));
    }

    [Fact]
    public void A_nul_inside_a_pax_path_is_refused()
    {
        var pax = PaxRecordCodec.Encode(new[] { KeyValuePair.Create("path", new byte[] { (byte)'a', 0, (byte)'b' }) });
        var ex = ReadFails(Concat(RawHeader("PaxHeaders/a", 'x', pax.Length), Padded(pax), RawHeader("a", '0', 0)));
        Assert.Contains("NUL", ex.Message);
    }

    [Fact]
    public void Sparse_entries_are_refused_by_name()
    {
        var ex = ReadFails(Concat(RawHeader("sparse.img", 'S', 0, magic: "ustar  \0"), new byte[1024]), Codes.UnsupportedInputFormat);
        Assert.Contains("sparse", ex.Message);
        Assert.Contains("sparse.img", ex.Message);

        var pax = PaxRecordCodec.Encode(new[] { KeyValuePair.Create("GNU.sparse.major", Bytes("1")), KeyValuePair.Create("GNU.sparse.name", Bytes("disk.img")) });
        var ex2 = ReadFails(Concat(RawHeader("PaxHeaders/x", 'x', pax.Length), Padded(pax), RawHeader("GNUSparseFile.0/disk.img", '0', 0)), Codes.UnsupportedInputFormat);
        Assert.Contains("sparse entries are not supported", ex2.Message);
    }

    [Fact]
    public void An_extended_header_without_its_entry_is_corrupt()
    {
        var pax = PaxRecordCodec.Encode(new[] { KeyValuePair.Create("path", Bytes("lost")) });
        ReadFails(Concat(RawHeader("PaxHeaders/lost", 'x', pax.Length), Padded(pax), new byte[1024]));
        ReadFails(Concat(RawHeader("PaxHeaders/lost", 'x', pax.Length), Padded(pax)));
    }

    [Fact]
    public void Random_damage_only_ever_raises_container_sdk_exceptions()
    {
        var xattr = new TarHeader { Name = "x/" + new string('é', 80), Size = 600, Uid = 9_999_999 };
        xattr.PaxRecords["SCHILY.xattr.user.k"] = new byte[] { 0, 10, 255 };
        var archive = Write((new TarHeader { Name = "x", Type = TarEntryType.Directory }, null), (xattr, new byte[600]),
            (new TarHeader { Name = "l", Type = TarEntryType.SymbolicLink, LinkName = new string('t', 200) }, null), (Regular("z", 5), Bytes("12345")));
        var random = new Random(12345);
        for (int round = 0; round < 3000; round++)
        {
            var damaged = (byte[])archive.Clone();
            int flips = random.Next(1, 4);
            for (int i = 0; i < flips; i++)
            {
                int at = random.Next(0, 3072);
                damaged[at] = random.Next(3) switch { 0 => (byte)random.Next(256), 1 => (byte)'9', _ => 0 };
            }
            // Repair the checksums half the time so the damage reaches the field parsers.
            if (round % 2 == 0)
                for (int b = 0; b + 512 <= damaged.Length; b += 512)
                    if (!UstarBlock.IsAllZero(damaged.AsSpan(b, 512)) && damaged[b + 257] == 'u')
                        UstarBlock.WriteChecksum(damaged.AsSpan(b, 512));
            if (random.Next(4) == 0) damaged = damaged[..random.Next(damaged.Length)];
            try { ReadAll(damaged); }
            catch (ContainerSdkException) { }
        }
    }

    private sealed class NonSeekableStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        // Short reads on purpose: the reader must not assume full buffers.
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 97));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
