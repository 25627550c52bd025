using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Inputs;

namespace ContainerSdk.Core.Tests.Inputs;

/// <summary>ContainerCacheMaxSize: bytes, or a number with a binary or decimal unit; blank is the image's size (null).</summary>
public sealed class CacheMaxSizeTests
{
    [Theory]
    [InlineData("1073741824", 1073741824L)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData(" 512 MiB ", 512L << 20)]
    [InlineData("1.5gib", 3L << 29)]
    [InlineData("500MB", 500_000_000L)]
    [InlineData("2G", 2L << 30)]
    [InlineData("0", 0L)]
    [InlineData("1TB", 1_000_000_000_000L)]
    public void A_size_is_bytes_or_a_number_with_a_unit(string text, long expected) => Assert.Equal(expected, Properties.CacheMaxSize(text));

    [Fact]
    public void Blank_is_the_image_size() => Assert.Null(Properties.CacheMaxSize("  "));

    [Theory]
    [InlineData("-1")]
    [InlineData("2 GiBs")]
    [InlineData("1.5")]
    [InlineData("lots")]
    [InlineData("99999999TiB")]
    public void Anything_else_is_CSDK3065(string text) =>
        Assert.Equal(Codes.InvalidCacheMaxSize, Assert.Throws<ContainerSdkException>(() => Properties.CacheMaxSize(text)).Code);
}
