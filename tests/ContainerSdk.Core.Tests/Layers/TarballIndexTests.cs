using System.Formats.Tar;
using ContainerSdk.Core.Layers;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Layers;

/// <summary>
/// A tarball index another machine shared (a registry base's layer, publish only) is used in place of the layer only when
/// it reads whole as an index of this format: anything else is refused, and the layer is downloaded instead.
/// </summary>
public sealed class TarballIndexTests
{
    [Fact]
    public void An_index_reads_as_one_and_a_cut_or_foreign_one_does_not()
    {
        using var dir = new TempDir("tidx");
        var tarball = dir.Combine("layer.tar");
        using (var file = File.Create(tarball))
        using (var tar = new TarWriter(file, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "etc/"));
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "etc/passwd") { DataStream = new MemoryStream("root:x:0:0::/root:/bin/sh\n"u8.ToArray()) });
        }
        var hash = System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(tarball));
        var (entries, _) = TarballIndex.Get(new LazySpool(tarball, dir.Combine("spool")), "layer.tar", dir.Combine("indexes"), hash);
        Assert.Equal(2, entries.Count);
        var path = Directory.GetFiles(dir.Combine("indexes"), "*.idx").Single();
        Assert.True(TarballIndex.IsIndexFile(path));

        var bytes = File.ReadAllBytes(path);
        Assert.True(TarballIndex.IsIndex(bytes));
        Assert.False(TarballIndex.IsIndex(bytes[..(bytes.Length / 2)]));
        Assert.False(TarballIndex.IsIndex("csdk-tarball-index-2 is another version"u8.ToArray()));
        Assert.False(TarballIndex.IsIndexFile(dir.Combine("missing.idx")));
    }
}
