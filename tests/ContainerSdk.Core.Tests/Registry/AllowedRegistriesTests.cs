using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Tests.Registry;

/// <summary>A licensed module's AllowedRegistries: hosts or host/namespace prefixes.</summary>
public sealed class AllowedRegistriesTests
{
    [Theory]
    [InlineData("", "any.example", "x", true)]
    [InlineData("harbor.site:8443", "harbor.site:8443", "licensed/suite", true)]
    [InlineData("harbor.site:8443", "harbor.site", "licensed/suite", false)]
    [InlineData("harbor.site/licensed", "harbor.site", "licensed/suite", true)]
    [InlineData("harbor.site/licensed", "harbor.site", "licensed", true)]
    [InlineData("harbor.site/licensed", "harbor.site", "licensedx/suite", false)]
    [InlineData("harbor.site/licensed", "harbor.site", "public/suite", false)]
    [InlineData("a.example; HARBOR.site ", "harbor.site", "x", true)]
    public void Allows(string metadata, string registry, string repository, bool allowed) =>
        Assert.Equal(allowed, AllowedRegistries.Allows(AllowedRegistries.Parse(metadata), registry, repository));

    [Fact]
    public void A_forbidden_destination_names_the_module_and_where_it_may_go()
    {
        var e = Assert.Throws<ContainerSdkException>(() => AllowedRegistries.Check("docker.io", "me/site",
            new[] { ("modules/open", AllowedRegistries.Parse("")), ("modules/suite", AllowedRegistries.Parse("harbor.site/licensed")) }, "push the image"));
        Assert.Equal(Codes.RegistryNotAllowed, e.Code);
        Assert.Equal(("Module", "modules/suite"), (e.ItemType, e.ItemSpec));
        Assert.Contains("harbor.site/licensed", e.Message);
        Assert.Contains("docker.io/me/site", e.Message);
    }
}
