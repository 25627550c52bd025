using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Tar;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Blobs;

using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Hostile;

/// <summary>Inputs AFL++ found (bench/fuzz/fuzz.sh) that escaped as something other than a coded error, kept as regressions.</summary>
public class FuzzRegressionTests
{
    /// <summary>Reads a tarball as the planners do; only a ContainerSdkException may come out.</summary>
    private static ContainerSdkException ReadArchive(byte[] bytes, StreamCompression compression)
    {
        return Assert.Throws<ContainerSdkException>(() =>
        {
            using var decompressed = Decompression.Decompress(new MemoryStream(bytes), compression, "fuzz.tar.bz2");
            using var reader = new TarReader(decompressed, "fuzz.tar.bz2");
            var buffer = new byte[8192];
            while (reader.Next() is not null)
                while (reader.Content.Read(buffer, 0, buffer.Length) > 0) { }
        });
    }

    /// <summary>archive target, 2026-11-24, crash id:000000 (op:splice): SharpZipLib threw IndexOutOfRangeException in GetAndMoveToFrontDecode.</summary>
    [Fact]
    public void Bzip2_data_that_makes_the_decoder_index_out_of_range_is_corrupt_compression()
    {
        var bytes = Convert.FromBase64String("QlpoOTFBWSZTWQ/diPAAAXAD1NAaADQBIlNMpAek0DTAQAAQAAgBCBgwAVlZmhKaoFPSeUPanqNDTUaepoAGg8oB6mh6hEymmNRNGQDIAAPU0BoANAEiU0ykB6TQNBoABoHJHqAAepf5nYWsqs8PkxbLKzNAoMKzQkqtFACx0xtyqemlYbRNkEmhaxSuIdJwUYqCwJJDBDYl9y231SDeo5yEiA+1M1mGGc06Nm4LNYGKAF88JY1LM4xQAjEkwBF11pbdaUSWVoDAwH1EOB2AQIbAmDBHqjZTUteI3nSXlEyNhtaS0oB40kgH2OOvwyMJYsE2DEgBJAlCmKcWquj6lcCVSFnCs0JKrRQAsdMbcqnppWG0TZBJoWsUriHScFGKgmidWQOQbwoBwCYLTGVCC4QSIbJo/VQZXvAftpCb2PrLfKxDtNkBaVq/qiIzeqPA1ORH15/5a75HPVwskFsdc44lxU8aMx+ko/pmWnAZwG+o1Gqp33zw56rnRqoCS0hgSRKHTuwwurouwbBNE+dsZRMa5kOE3QkMzf4u5IpwoSAfuxHg");
        var e = ReadArchive(bytes, StreamCompression.Bzip2);
        Assert.Equal(Codes.CorruptCompression, e.Code);
        Assert.Contains("fuzz.tar.bz2", e.Message);
    }
}
