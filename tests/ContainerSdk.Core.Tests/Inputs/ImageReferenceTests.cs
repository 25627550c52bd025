using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Inputs;

using ContainerSdk.Tests;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Tests.Inputs;

public class ImageReferenceTests
{
    [Theory]
    [InlineData("latest")]
    [InlineData("2026.11")]
    [InlineData("_x")]
    [InlineData("V1.2-rc_3")]
    public void Valid_tags(string tag) => ImageReference.ValidateTag(tag);

    [Theory]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("-x")]
    [InlineData("a:b")]
    [InlineData("a/b")]
    [InlineData("é")]
    public void Invalid_tags(string tag)
    {
        var e = Assert.Throws<ContainerSdkException>(() => ImageReference.ValidateTag(tag));
        Assert.Equal(Codes.InvalidTag, e.Code);
        Assert.Contains(ImageReference.TagRule, e.Message);
    }

    [Fact]
    public void Tag_length_limit_is_128()
    {
        ImageReference.ValidateTag(new string('a', 128));
        Assert.Throws<ContainerSdkException>(() => ImageReference.ValidateTag(new string('a', 129)));
    }

    [Theory]
    [InlineData("site")]
    [InlineData("hpc/site-image")]
    [InlineData("a__b.c--d")]
    [InlineData("registry.example.org:5000/hpc/site")]
    [InlineData("localhost/site")]
    [InlineData("Registry.Example.org/site")]
    public void Valid_repositories(string repository) => ImageReference.ValidateRepository(repository);

    [Theory]
    [InlineData("")]
    [InlineData("Site")]
    [InlineData("site/")]
    [InlineData("-site")]
    [InlineData("a___b")]
    [InlineData("a..b")]
    [InlineData("site:tag")]
    [InlineData("My.Registry/Site")]
    public void Invalid_repositories(string repository)
    {
        var e = Assert.Throws<ContainerSdkException>(() => ImageReference.ValidateRepository(repository));
        Assert.Equal(Codes.InvalidRepository, e.Code);
        Assert.Contains(ImageReference.PathComponentRule, e.Message);
    }
}
