using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Bundle;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Blobs;

/// <summary>ContainerLayerCompressionLevel: other deflate levels, the same tar, and bytes as reproducible as the default's.</summary>
public sealed class LayerCompressionLevelTests
{
    /// <summary>A module of text (a few MiB: several 4 MiB chunks are not needed, the levels apply to every chunk) built cold, with its bundle.</summary>
    private static (IReadOnlyList<BuiltLayer> Layers, byte[] Bundle) BuildCold(string module, string root, LayerCompressionLevel level)
    {
        var work = Path.Combine(root, "obj");
        var layers = ContainerEngine.BuildLayers(
            new[] { LayerInputs.Validate(new LayerInput { ItemSpec = "tool", Kind = LayerKind.Module, SourcePath = module, TargetPath = "/opt/tool" }) },
            Array.Empty<AclFileRequest>(), new LayerBuildOptions { WorkDirectory = work, CompressionLevel = level }, new RecordingLog(), default,
            new BundleOutput(Path.Combine(root, "site.tar.gz"), Path.Combine(root, "site.acl")));
        return (layers, File.ReadAllBytes(Path.Combine(root, "site.tar.gz")));
    }

    [Fact]
    internal void Fastest_writes_the_same_tar_in_other_reproducible_bytes_and_default_is_todays()
    {
        using var dir = new TempDir("level");
        var random = new Random(3);
        var words = Enumerable.Range(0, 2000).Select(i => new string((char)('a' + i % 26), 1 + i % 9) + i).ToArray();
        for (int f = 0; f < 40; f++)
            File.WriteAllText(Path.Combine(Directory.CreateDirectory(dir.Combine("module", $"d{f % 4}")).FullName, $"f{f:D2}.txt"),
                string.Join(' ', Enumerable.Range(0, 20_000).Select(_ => words[random.Next(words.Length)])));

        var normal = BuildCold(dir.Combine("module"), dir.Combine("default"), LayerCompressionLevel.Default);
        var fast = BuildCold(dir.Combine("module"), dir.Combine("fast-1"), LayerCompressionLevel.Fastest);
        var again = BuildCold(dir.Combine("module"), dir.Combine("fast-2"), LayerCompressionLevel.Fastest);

        // The same tar (diffID), other gzip bytes (digest), larger: what the level trades.
        Assert.Equal(normal.Layers[0].DiffId, fast.Layers[0].DiffId);
        Assert.NotEqual(normal.Layers[0].Descriptor.Digest, fast.Layers[0].Descriptor.Digest);
        Assert.True(fast.Layers[0].Descriptor.Size > normal.Layers[0].Descriptor.Size);
        // Reproducible at that level: the layer and the bundle (its segments copied out of the layer or compressed alike).
        Assert.Equal(fast.Layers[0].Descriptor, again.Layers[0].Descriptor);
        Assert.Equal(fast.Bundle, again.Bundle);
        Assert.NotEqual(normal.Bundle, fast.Bundle);
    }

    [Fact]
    internal void A_level_is_part_of_the_fingerprint_and_the_segment_names_only_when_it_is_not_the_default()
    {
        Assert.Equal(Properties.CompressionLevel(""), Properties.CompressionLevel("Default"));
        Assert.Equal(LayerCompressionLevel.Fastest, Properties.CompressionLevel(" FASTEST "));
        var e = Assert.Throws<Core.Diagnostics.ContainerSdkException>(() => Properties.CompressionLevel("fast"));
        Assert.Equal(Core.Diagnostics.Codes.InvalidCompressionLevel, e.Code);

        var headers = new[] { new Core.Tar.TarHeader { Name = "opt/tool/", Type = Core.Tar.TarEntryType.Directory } };
        var shape = Core.Cache.LayerFingerprint.Shape(headers, LayerCompression.Gzip);
        Assert.Equal(shape, Core.Cache.LayerFingerprint.Shape(headers, LayerCompression.Gzip, LayerCompressionLevel.Default));
        Assert.NotEqual(shape, Core.Cache.LayerFingerprint.Shape(headers, LayerCompression.Gzip, LayerCompressionLevel.Fastest));
        Assert.Equal(GzipMember.Text, GzipMember.ZlibLevel(GzipMember.Text, LayerCompressionLevel.Default));
        Assert.Equal(GzipMember.Binary, GzipMember.ZlibLevel(GzipMember.Binary, LayerCompressionLevel.Default));
        Assert.Equal(GzipMember.Repetitive, GzipMember.ZlibLevel(GzipMember.Repetitive, LayerCompressionLevel.Default));
        Assert.Equal(0, GzipMember.ZlibLevel(GzipMember.Stored, LayerCompressionLevel.Fastest));
    }
}
