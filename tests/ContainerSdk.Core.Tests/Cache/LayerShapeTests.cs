using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Tar;
using ContainerSdk.Core.Blobs;

namespace ContainerSdk.Core.Tests.Cache;

/// <summary>A layer's shape: what its fingerprint covers but the files' contents, known before any file is read.</summary>
public sealed class LayerShapeTests
{
    private static TarHeader[] Headers() => new[]
    {
        new TarHeader { Name = "opt/a/", Type = TarEntryType.Directory, Mode = 0x1ED, ModificationTime = 1700000000 },
        new TarHeader { Name = "opt/a/bin", Size = 12, Mode = 0x1ED, Uid = 1000, UserName = "hpc", ModificationTime = 1700000000 },
    };

    private static byte[] Fingerprint(TarHeader[] headers, byte[] content)
    {
        using var builder = LayerFingerprint.Begin(LayerCompression.Gzip);
        builder.Add(headers[0], null);
        builder.Add(headers[1], content);
        return builder.Finish();
    }

    [Fact]
    public void Other_content_of_the_same_size_keeps_the_shape_and_changes_the_fingerprint_while_any_header_field_changes_both()
    {
        var shape = LayerFingerprint.Shape(Headers(), LayerCompression.Gzip);
        Assert.Equal(shape, LayerFingerprint.Shape(Headers(), LayerCompression.Gzip));
        Assert.NotEqual(Fingerprint(Headers(), new byte[32]), Fingerprint(Headers(), Enumerable.Repeat((byte)1, 32).ToArray()));
        // Neither key is the other: a layer without file data has a fingerprint and a shape that differ.
        Assert.NotEqual(shape, Fingerprint(Headers(), new byte[32]));

        var changes = new Action<TarHeader>[]
        {
            h => h.Name = "opt/a/bim", h => h.Mode = 0x1A4, h => h.Uid = 0, h => h.UserName = "root", h => h.Size = 13,
            h => h.ModificationTime = 1, h => h.Type = TarEntryType.SymbolicLink, h => h.LinkName = "x",
            h => h.PaxRecords["SCHILY.xattr.user.k"] = "v"u8.ToArray(),
        };
        foreach (var change in changes)
        {
            var headers = Headers();
            change(headers[1]);
            Assert.NotEqual(shape, LayerFingerprint.Shape(headers, LayerCompression.Gzip));
        }
        Assert.NotEqual(shape, LayerFingerprint.Shape(Headers(), LayerCompression.Zstd));
    }
}
