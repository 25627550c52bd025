using System.Text;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Tests.Tar;

/// <summary>An archive that ends where a header would start, without end-of-archive blocks: read, and said so.</summary>
public class TarTrailerTests
{
    private static byte[] OneFile(bool trailer)
    {
        var header = new byte[512];
        Encoding.ASCII.GetBytes("a.txt").CopyTo(header, 0);
        UstarBlock.WriteOctal(header, UstarBlock.ModeOffset, 8, 0x1A4);
        UstarBlock.WriteOctal(header, UstarBlock.UidOffset, 8, 0);
        UstarBlock.WriteOctal(header, UstarBlock.GidOffset, 8, 0);
        UstarBlock.WriteOctal(header, UstarBlock.SizeOffset, 12, 3);
        UstarBlock.WriteOctal(header, UstarBlock.MtimeOffset, 12, 0);
        header[156] = (byte)'0';
        Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(header, 257);
        UstarBlock.WriteChecksum(header);
        var data = new byte[512];
        Encoding.ASCII.GetBytes("hi\n").CopyTo(data, 0);
        return header.Concat(data).Concat(trailer ? new byte[1024] : Array.Empty<byte>()).ToArray();
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    internal void EndedWithoutTrailer_says_whether_the_end_blocks_were_there(bool trailer, bool expected)
    {
        using var reader = new TarReader(new MemoryStream(OneFile(trailer)), "t.tar");
        Assert.Equal("a.txt", reader.Next()!.Name);
        Assert.Null(reader.Next());
        Assert.Equal(expected, reader.EndedWithoutTrailer);
    }
}
