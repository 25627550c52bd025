using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Outputs;

namespace ContainerSdk.Tests.Registry;

/// <summary>The registry writer pushes to the destination each call names, and says what it pushed.</summary>
[Trait("Category", "EndToEnd")]
public sealed class RegistryImageWriterTests
{
    [Fact]
    public async Task One_writer_pushes_to_each_destination_it_is_given()
    {
        var skopeo = Tools.Require("skopeo");
        using var dir = new TempDir("regwriter");
        await using var reg = await RegistryServer.StartAsync();
        var layout = TestLayout.Create(dir.Combine("layout"), "v1");
        var image = BuiltImage.FromLayout(layout.Path, "team/site");
        var writer = new RegistryImageWriter(TestRegistryOptions.Plain(reg, dir.Combine("home")), Array.Empty<PublishedLayer>(), cacheRepository: null);

        foreach (var repository in new[] { "team/one", "team/two" })
        {
            var result = writer.Write(image, $"{reg.Host}/{repository}", new ImageWriteContext(0, dir.Path, new TranscriptLog()));
            Assert.Equal((layout.Digest, layout.Manifest.Config.Digest, $"{reg.Host}/{repository}"), (result.ManifestDigest, result.ConfigDigest, result.Destination));
            Assert.Equal(new[] { "v1" }, result.Tags);
            var inspect = Tools.Run(skopeo, "inspect", "--tls-verify=false", "--raw", $"docker://{reg.Host}/{repository}:v1").EnsureSuccess("skopeo inspect");
            Assert.Equal(layout.Digest, Digest.Compute(System.Text.Encoding.UTF8.GetBytes(inspect.StdOut)));
        }
    }

    [Fact]
    public void A_destination_without_a_repository_is_a_coded_error()
    {
        using var dir = new TempDir("regwriter");
        var layout = TestLayout.Create(dir.Combine("layout"), "v1");
        var writer = new RegistryImageWriter(new Core.Registry.RegistryOptions(), Array.Empty<PublishedLayer>(), cacheRepository: null);
        var e = Assert.Throws<ContainerSdkException>(() =>
            writer.Write(BuiltImage.FromLayout(layout.Path, "site"), "localhost:5000", new ImageWriteContext(0, dir.Path, new TranscriptLog())));
        Assert.Equal(Codes.InvalidRepository, e.Code);
    }
}
