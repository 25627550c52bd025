using System.Text;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Tar;
using static ContainerSdk.Core.Tests.Tar.TarTestArchives;

using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Tar;

public class TarWriterTests
{
    [Fact]
    public void Header_bytes_match_the_ustar_layout_field_by_field()
    {
        var archive = Write((new TarHeader
        {
            Name = "dir/file.txt", Mode = Convert.ToInt32("4755", 8), Uid = 1000, Gid = 100, Size = 5, ModificationTime = 1700000000,
        }, Bytes("hello")));

        var expected = new byte[512];
        void Put(int offset, string text) => Encoding.ASCII.GetBytes(text).CopyTo(expected, offset);
        Put(0, "dir/file.txt");
        Put(100, "0004755\0");
        Put(108, "0001750\0");      // 1000
        Put(116, "0000144\0");      // 100
        Put(124, "00000000005\0");
        Put(136, "14524770400\0");  // 1700000000
        Put(148, "011535\0 ");      // sum of all bytes with this field as spaces, computed independently
        Put(156, "0");
        Put(257, "ustar\0" + "00");
        Put(329, "0000000\0");
        Put(337, "0000000\0");
        Assert.Equal(expected, archive[..512]);

        // The checksum rule itself: unsigned sum with the field counted as 8 spaces.
        var spaced = (byte[])expected.Clone();
        for (int i = 148; i < 156; i++) spaced[i] = (byte)' ';
        Assert.Equal(Convert.ToInt32("11535", 8), spaced.Sum(b => b));

        Assert.Equal("hello", Encoding.ASCII.GetString(archive, 512, 5));
        Assert.All(archive[517..1024], b => Assert.Equal(0, b));
        Assert.Equal(1024 + 1024, archive.Length); // header + one data block + two end blocks
        Assert.All(archive[1024..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Bytes_written_counts_everything_and_finish_is_idempotent()
    {
        using var output = new MemoryStream();
        var writer = new TarWriter(output);
        writer.WriteEntry(Regular("a", 600), new MemoryStream(new byte[600]));
        Assert.Equal(512 + 1024, writer.BytesWritten);
        writer.Finish();
        writer.Finish();
        writer.Dispose();
        Assert.Equal(512 + 1024 + 1024, writer.BytesWritten);
        Assert.Equal(writer.BytesWritten, output.Length);
    }

    [Fact]
    public void A_name_up_to_255_bytes_is_split_into_prefix_and_name_without_pax()
    {
        var dir = new string('d', 120);
        var name = dir + "/" + new string('f', 90);
        var archive = Write((Regular(name), null));
        Assert.Equal((byte)'0', archive[156]);
        Assert.Equal(new string('f', 90), Ascii(archive, 0, 90));
        Assert.Equal(0, archive[90]);
        Assert.Equal(dir, Ascii(archive, 345, 120));
        Assert.Equal(name, Assert.Single(ReadAll(archive)).Header.Name);
    }

    [Fact]
    public void Split_prefers_the_longest_prefix_as_gnu_tar_does()
    {
        var name = "a/" + new string('b', 100) + "/" + new string('c', 50);
        var archive = Write((Regular(name), null));
        Assert.Equal(new string('c', 50), Ascii(archive, 0, 50));
        Assert.Equal("a/" + new string('b', 100), Ascii(archive, 345, 102));
    }

    [Fact]
    public void A_path_longer_than_prefix_and_name_goes_into_a_pax_path_record()
    {
        var name = string.Join('/', Enumerable.Range(0, 30).Select(i => $"dir{i:D5}")) + "/file.bin"; // ~280 bytes
        Assert.True(name.Length > 255);
        var archive = Write((Regular(name, 3), Bytes("abc")));

        Assert.Equal("PaxHeaders/file.bin", Ascii(archive, 0, 19));
        Assert.Equal(0, archive[19]);
        Assert.Equal("0000644\0", Ascii(archive, 100, 8));
        // " path=" + name + "\n" is name.Length + 7 bytes; three length digits make it name.Length + 10.
        Assert.Equal($"{name.Length + 10} path={name}\n", PaxData(archive));
        // The ustar name is the truncated path, for readers that ignore PAX.
        Assert.Equal(name[..100], Ascii(archive, 1024, 100));

        var (header, content) = Assert.Single(ReadAll(archive));
        Assert.Equal(name, header.Name);
        Assert.Equal("abc", Encoding.ASCII.GetString(content));
    }

    [Fact]
    public void A_name_with_one_component_over_100_bytes_goes_into_pax()
    {
        var name = "d/" + new string('x', 120);
        var archive = Write((Regular(name), null));
        Assert.Contains($" path={name}\n", PaxData(archive));
        Assert.Equal(name, Assert.Single(ReadAll(archive)).Header.Name);
    }

    [Fact]
    public void A_non_ascii_name_goes_into_pax_and_round_trips()
    {
        var name = "données/été/ファイル.txt";
        var archive = Write((Regular(name), null));
        Assert.Contains($" path={name}\n", PaxData(archive));
        Assert.Equal("PaxHeaders/ファイル.txt", Encoding.UTF8.GetString(archive, 0, "PaxHeaders/ファイル.txt".Length + 8).TrimEnd('\0'));
        Assert.Equal(name, Assert.Single(ReadAll(archive)).Header.Name);
    }

    [Fact]
    public void A_long_link_target_goes_into_pax_linkpath()
    {
        var target = "/opt/" + new string('t', 150);
        var archive = Write((new TarHeader { Name = "link", Type = TarEntryType.SymbolicLink, LinkName = target, Mode = 0x1FF }, null));
        Assert.Equal($"{target.Length + 14} linkpath={target}\n", PaxData(archive)); // 1+8+1+155+1 = 166, + 3 digits
        Assert.Equal(target[..100], Ascii(archive, 1024 + 157, 100));
        var header = Assert.Single(ReadAll(archive)).Header;
        Assert.Equal(target, header.LinkName);
        Assert.Equal(TarEntryType.SymbolicLink, header.Type);
    }

    [Fact]
    public void Ids_over_seven_octal_digits_go_into_pax_and_the_ustar_fields_are_zero()
    {
        var archive = Write((new TarHeader { Name = "f", Uid = 3000000, Gid = 2097151 }, null));
        Assert.Equal("15 uid=3000000\n", PaxData(archive));
        Assert.Equal("0000000\0", Ascii(archive, 1024 + 108, 8));
        Assert.Equal("7777777\0", Ascii(archive, 1024 + 116, 8));
        var header = Assert.Single(ReadAll(archive)).Header;
        Assert.Equal(3000000, header.Uid);
        Assert.Equal(2097151, header.Gid);
    }

    [Fact]
    public void Negative_and_huge_mtimes_go_into_pax_and_the_pax_header_mtime_is_clamped()
    {
        var archive = Write((new TarHeader { Name = "old", ModificationTime = -86400 }, null),
                            (new TarHeader { Name = "new", ModificationTime = 9_000_000_000 }, null));
        Assert.Equal("16 mtime=-86400\n", PaxData(archive));
        Assert.Equal("00000000000\0", Ascii(archive, 136, 12));
        Assert.Equal("00000000000\0", Ascii(archive, 1024 + 136, 12));
        Assert.Equal("77777777777\0", Ascii(archive, 1536 + 136, 12)); // the PAX header of "new", clamped
        Assert.Equal("77777777777\0", Ascii(archive, 2560 + 136, 12));
        var entries = ReadAll(archive);
        Assert.Equal(-86400, entries[0].Header.ModificationTime);
        Assert.Equal(9_000_000_000, entries[1].Header.ModificationTime);
    }

    [Fact]
    public void Setuid_setgid_and_sticky_bits_are_written_and_read()
    {
        var archive = Write((Regular("suid", 0, Convert.ToInt32("4755", 8)), null),
                            (Regular("sgid", 0, Convert.ToInt32("2711", 8)), null),
                            (new TarHeader { Name = "tmp/", Type = TarEntryType.Directory, Mode = Convert.ToInt32("1777", 8) }, null));
        Assert.Equal("0004755\0", Ascii(archive, 100, 8));
        Assert.Equal("0002711\0", Ascii(archive, 512 + 100, 8));
        Assert.Equal("0001777\0", Ascii(archive, 1024 + 100, 8));
        Assert.Equal(new[] { "4755", "2711", "1777" }, ReadAll(archive).Select(e => Convert.ToString(e.Header.Mode, 8)));
    }

    [Fact]
    public void Every_entry_type_round_trips()
    {
        var entries = new[]
        {
            new TarHeader { Name = "dir", Type = TarEntryType.Directory, Mode = 0x1ED },
            new TarHeader { Name = "dir/file", Size = 4 },
            new TarHeader { Name = "dir/hard", Type = TarEntryType.HardLink, LinkName = "dir/file" },
            new TarHeader { Name = "dir/sym", Type = TarEntryType.SymbolicLink, LinkName = "../etc/passwd", Mode = 0x1FF },
            new TarHeader { Name = "dev/null", Type = TarEntryType.CharacterDevice, DeviceMajor = 1, DeviceMinor = 3, Mode = 0x1B6 },
            new TarHeader { Name = "dev/sda", Type = TarEntryType.BlockDevice, DeviceMajor = 8, DeviceMinor = 1048575, Mode = 0x1B0 },
            new TarHeader { Name = "run/fifo", Type = TarEntryType.Fifo, Mode = 0x180 },
        };
        var archive = Write(entries.Select(e => (e, e.Size > 0 ? Bytes("data") : null)).ToArray());
        var read = ReadAll(archive);

        Assert.Equal(new[] { "dir/", "dir/file", "dir/hard", "dir/sym", "dev/null", "dev/sda", "run/fifo" }, read.Select(e => e.Header.Name));
        for (int i = 0; i < entries.Length; i++)
        {
            Assert.Equal(entries[i].Type, read[i].Header.Type);
            Assert.Equal(entries[i].Mode, read[i].Header.Mode);
            Assert.Equal(entries[i].LinkName, read[i].Header.LinkName);
            Assert.Equal(entries[i].DeviceMajor, read[i].Header.DeviceMajor);
            Assert.Equal(entries[i].DeviceMinor, read[i].Header.DeviceMinor);
        }
        Assert.Equal("data", Encoding.ASCII.GetString(read[1].Content));
        // Directory names carry the trailing '/' even when the caller left it out.
        Assert.Equal("dir/", Ascii(archive, 0, 4));
        Assert.Equal((byte)'5', archive[156]);
        // Device numbers only on devices; zero fields elsewhere (GNU tar posix format).
        int devOffset = 512 * 5; // dir, file header, file data, hard, sym, then dev/null
        Assert.Equal((byte)'3', archive[devOffset + 156]);
        Assert.Equal("0000001\0", Ascii(archive, devOffset + 329, 8));
        Assert.Equal("0000003\0", Ascii(archive, devOffset + 337, 8));
        Assert.Equal("0000000\0", Ascii(archive, 329, 8));
    }

    [Fact]
    public void Binary_xattr_values_round_trip_byte_for_byte()
    {
        var value = new byte[] { 0x00, 0x0A, 0xFF, (byte)'=', (byte)' ', 0x80, 0x0A, 0x00 };
        var acl = Bytes("user::rwx,user:1000:r-x,group::r-x,mask::r-x,other::---");
        var header = new TarHeader { Name = "f" };
        header.PaxRecords["SCHILY.xattr.user.bin"] = value;
        header.PaxRecords["SCHILY.acl.access"] = acl;
        var archive = Write((header, null));

        var read = Assert.Single(ReadAll(archive)).Header;
        Assert.Equal(value, read.PaxRecords["SCHILY.xattr.user.bin"]);
        Assert.Equal(acl, read.PaxRecords["SCHILY.acl.access"]);
        // Records are sorted ordinally: "SCHILY.acl" < "SCHILY.xattr".
        var data = PaxData(archive);
        Assert.True(data.IndexOf("SCHILY.acl.access", StringComparison.Ordinal) < data.IndexOf("SCHILY.xattr.user.bin", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(97, 99)]   // 97 + 2 digits = 99: still two digits
    [InlineData(98, 101)]  // 98 + 2 = 100 needs three digits: 98 + 3 = 101
    [InlineData(99, 102)]
    [InlineData(996, 999)]
    [InlineData(997, 1001)] // 997 + 3 = 1000 needs four digits
    public void Pax_record_length_counts_its_own_digits_across_the_carry(int rest, int expectedLength)
    {
        // rest = " " + key + "=" + value + "\n"
        var key = "SCHILY.xattr.user.k";
        var value = new byte[rest - 3 - key.Length];
        Array.Fill(value, (byte)'v');
        var encoded = PaxRecordCodec.Encode(new[] { KeyValuePair.Create(key, value) });
        Assert.Equal(expectedLength, encoded.Length);
        Assert.StartsWith($"{expectedLength} {key}=", Encoding.ASCII.GetString(encoded));

        var header = new TarHeader { Name = "f" };
        header.PaxRecords[key] = value;
        Assert.Equal(value, Assert.Single(ReadAll(Write((header, null)))).Header.PaxRecords[key]);
    }

    [Fact]
    public void A_size_over_8_GiB_goes_into_pax_and_content_is_streamed()
    {
        const long size = 8L * 1024 * 1024 * 1024 + 3; // 8589934595 > 077777777777
        var sink = new PrefixCapturingStream(4096);
        using (var writer = new TarWriter(sink))
        {
            writer.WriteEntry(new TarHeader { Name = "big.img", Size = size }, new ZeroStream(size));
        }
        var head = sink.Prefix;
        Assert.Equal("PaxHeaders/big.img", Ascii(head, 0, 18));
        Assert.Equal($"19 size={size}\n", PaxData(head));
        Assert.Equal("00000000000\0", Ascii(head, 1024 + 124, 12));
        long padded = (size + 511) / 512 * 512;
        Assert.Equal(1536 + padded + 1024, sink.Length); // PAX header + records + ustar header, data, end blocks

        var header = new TarReader(new MemoryStream(head), "big.tar").Next();
        Assert.NotNull(header);
        Assert.Equal(size, header.Size);
        Assert.Equal("big.img", header.Name);
    }

    [Fact]
    public void Content_shorter_or_longer_than_size_means_the_file_changed()
    {
        using var output = new MemoryStream();
        using var writer = new TarWriter(output);
        var shorter = Assert.Throws<ContainerSdkException>(() => writer.WriteEntry(Regular("etc/short", 10), new MemoryStream(new byte[9])));
        Assert.Equal(Codes.FileChangedWhileReading, shorter.Code);
        Assert.Contains("etc/short", shorter.Message);

        using var output2 = new MemoryStream();
        using var writer2 = new TarWriter(output2);
        var longer = Assert.Throws<ContainerSdkException>(() => writer2.WriteEntry(Regular("etc/long", 10), new MemoryStream(new byte[11])));
        Assert.Equal(Codes.FileChangedWhileReading, longer.Code);
        Assert.Contains("etc/long", longer.Message);
    }

    [Fact]
    public void The_same_entries_give_the_same_bytes_and_no_pid()
    {
        byte[] Build()
        {
            var h = new TarHeader { Name = "usr/share/" + new string('n', 300), Size = 2, Uid = 5_000_000 };
            h.PaxRecords["SCHILY.xattr.user.x"] = new byte[] { 1, 2 };
            return Write((h, Bytes("ok")), (new TarHeader { Name = "ü", Type = TarEntryType.Directory }, null));
        }
        var first = Build();
        Assert.Equal(first, Build());

        var pid = Environment.ProcessId.ToString();
        var text = Encoding.Latin1.GetString(first);
        for (int offset = 0; offset < first.Length; offset += 512)
            if (first[offset + 156] == 'x')
            {
                var paxName = Ascii(first, offset, 100).TrimEnd('\0');
                Assert.StartsWith("PaxHeaders/", paxName);
                Assert.DoesNotContain(pid, paxName);
            }
        Assert.DoesNotContain("PaxHeaders." + pid, text);
    }

    /// <summary>Produces zeros lazily: an 8 GiB file without 8 GiB anywhere.</summary>
    private sealed class ZeroStream(long length) : Stream
    {
        private long _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Keeps the first bytes written and only counts the rest.</summary>
    private sealed class PrefixCapturingStream(int keep) : Stream
    {
        private readonly MemoryStream _prefix = new();
        private long _length;
        public byte[] Prefix => _prefix.ToArray();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            int take = (int)Math.Max(0, Math.Min(buffer.Length, keep - _length));
            if (take > 0) _prefix.Write(buffer[..take]);
            _length += buffer.Length;
        }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
