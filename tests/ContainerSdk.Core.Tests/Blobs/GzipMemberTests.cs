using System.IO.Compression;
using System.Text;
using ContainerSdk.Core.Blobs;

namespace ContainerSdk.Core.Tests.Blobs;

/// <summary>Each chunk of a layer is stored, deflated fast or deflated hard, by what a probe of its own bytes finds.</summary>
public class GzipMemberTests
{
    private const int Chunk = 4 << 20;

    private static byte[] RandomChunk()
    {
        var bytes = new byte[Chunk];
        new Random(7).NextBytes(bytes);
        return bytes;
    }

    // A block repeated with one byte changed per copy: the kind of data zlib-ng's medium levels compress badly.
    private static byte[] RepetitiveChunk()
    {
        var block = new byte[4096];
        new Random(8).NextBytes(block);
        var bytes = new byte[Chunk];
        for (int at = 0, copy = 0; at < bytes.Length; at += block.Length, copy++)
        {
            block[copy % block.Length] = (byte)copy;
            block.CopyTo(bytes, at);
        }
        return bytes;
    }

    // Short sequences of arbitrary bytes, drawn from a vocabulary of a few thousand, as instructions are in machine
    // code: compressible, but not text.
    private static byte[] BinaryChunk()
    {
        var random = new Random(10);
        var vocabulary = Enumerable.Range(0, 4000).Select(_ =>
        {
            var token = new byte[random.Next(3, 12)];
            random.NextBytes(token);
            return token;
        }).ToArray();
        var bytes = new byte[Chunk];
        for (int at = 0; at < bytes.Length;)
        {
            var token = vocabulary[random.Next(vocabulary.Length)];
            int n = Math.Min(token.Length, bytes.Length - at);
            token.AsSpan(0, n).CopyTo(bytes.AsSpan(at));
            at += n;
        }
        return bytes;
    }

    private static byte[] TextChunk()
    {
        var random = new Random(9);
        var words = Enumerable.Range(0, 3000).Select(_ => new string(Enumerable.Range(0, random.Next(2, 10)).Select(_ => (char)('a' + random.Next(26))).ToArray())).ToArray();
        var text = new StringBuilder();
        while (text.Length < Chunk) text.Append(words[random.Next(words.Length)]).Append(random.Next(12) == 0 ? '\n' : ' ');
        return Encoding.ASCII.GetBytes(text.ToString(0, Chunk));
    }

    [Fact]
    public void The_level_follows_the_chunks_content()
    {
        Assert.Equal(GzipMember.Stored, GzipMember.LevelFor(RandomChunk(), 0, Chunk));
        Assert.Equal(GzipMember.Repetitive, GzipMember.LevelFor(RepetitiveChunk(), 0, Chunk));
        Assert.Equal(GzipMember.Text, GzipMember.LevelFor(TextChunk(), 0, Chunk));
        Assert.Equal(GzipMember.Binary, GzipMember.LevelFor(BinaryChunk(), 0, Chunk));
        // Half random, half text: worth compressing, and not text throughout.
        var mixed = RandomChunk();
        TextChunk().AsSpan(0, Chunk / 2).CopyTo(mixed.AsSpan(Chunk / 2));
        Assert.Equal(GzipMember.Binary, GzipMember.LevelFor(mixed, 0, Chunk));
        // Text, then a file of repeated blocks: the repeats decide, though on average the samples shrink less than 30%.
        var textThenRepeats = TextChunk();
        RepetitiveChunk().AsSpan(0, Chunk / 2).CopyTo(textThenRepeats.AsSpan(Chunk / 2));
        Assert.Equal(GzipMember.Repetitive, GzipMember.LevelFor(textThenRepeats, 0, Chunk));
        // A short chunk (a stream's last) is compressed as text.
        Assert.Equal(GzipMember.Text, GzipMember.LevelFor(BinaryChunk(), 0, 64 << 10));
    }

    [Fact]
    public void Every_kind_of_chunk_round_trips_and_the_repetitive_one_is_compressed_hard()
    {
        foreach (var chunk in new[] { RandomChunk(), RepetitiveChunk(), TextChunk(), BinaryChunk() })
        {
            using var member = GzipMember.Compress(chunk, 0, chunk.Length);
            using var gunzip = new GZipStream(new MemoryStream(member.Span.ToArray()), CompressionMode.Decompress);
            var back = new MemoryStream();
            gunzip.CopyTo(back);
            Assert.Equal(chunk, back.ToArray());
            Assert.True(member.Span.Length < chunk.Length + chunk.Length / 500, $"{member.Span.Length} bytes for {chunk.Length}");
        }
        using var repetitive = GzipMember.Compress(RepetitiveChunk(), 0, Chunk);
        // zlib-ng's level 6 leaves this at about 10%; the lazy matcher finds the repeats (gzip -9 makes about 1%).
        Assert.True(repetitive.Span.Length < Chunk / 50, $"{repetitive.Span.Length} bytes for a 4 MiB repetitive chunk");
    }
}
