using ContainerSdk.Core.Bundle;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Tests.Layers;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Bundle;

/// <summary>ContainerSquashfsCompression's parse, and what BuildLayers says about the SquashFS output when none is asked for.</summary>
public sealed class SquashfsOutputTests
{
    // internal: its parameters name an engine type, which is internal (xunit runs internal test methods too).
    [Theory]
    [InlineData(null, SquashfsImageCompression.Gzip)]
    [InlineData("", SquashfsImageCompression.Gzip)]
    [InlineData(" GZIP ", SquashfsImageCompression.Gzip)]
    [InlineData("zstd", SquashfsImageCompression.Zstd)]
    [InlineData("Xz", SquashfsImageCompression.Xz)]
    internal void Compression_parses_in_any_case_with_gzip_the_default(string? value, SquashfsImageCompression expected) =>
        Assert.Equal(expected, Properties.SquashfsCompression(value));

    [Theory]
    [InlineData("lz4")]
    [InlineData("zlib")]
    public void An_unknown_compression_is_CSDK3001(string value)
    {
        var e = Assert.Throws<ContainerSdkException>(() => Properties.SquashfsCompression(value));
        Assert.Equal(Codes.InvalidProperty, e.Code);
        Assert.Contains("ContainerSquashfsCompression", e.Message);
    }

    [Fact]
    public void The_list_file_sits_beside_the_image() =>
        Assert.Equal("/out/site.sqsh.narrowed.txt", new SquashfsOutput("/out/site.sqsh").NarrowedListPath);

    [Fact]
    public void Without_a_squashfs_output_the_result_is_the_layers_and_says_whether_named_acls_are_there()
    {
        using var run = new EngineRun("sqnone");
        var rootfs = Tree.Rootfs(run.Dir.Combine("base"));
        var result = run.Layers(new[] { EngineRun.Base(rootfs) });
        Assert.Null(Assert.IsType<LayersResult>(result).Squashfs);
        Assert.False(((LayersResult)result).CarriesNamedAcls);
        Assert.Single(result);

        var acl = Tree.File(run.Dir.Path, "site.acl", "# file: etc/os-release\nuser::rw-\ngroup::r--\ngroup:licensed:r--\nmask::r--\nother::r--\n");
        var named = (LayersResult)run.Layers(new[] { EngineRun.Base(rootfs) }, aclFiles: new[] { new AclFileInput(acl) });
        Assert.True(named.CarriesNamedAcls);
        Assert.Null(named.Squashfs);
    }
}
