using System.Text.Json;
using ContainerSdk.Tests.Registry;

namespace ContainerSdk.Tests.RegistryFixture;

/// <summary>The fixture's registry speaks to a real client: skopeo pushes an image with basic auth and reads it back.</summary>
[Trait("Category", "EndToEnd")]
public sealed class RegistrySkopeoTests
{
    [Fact]
    public async Task Skopeo_copies_an_oci_layout_in_with_credentials_and_inspects_it_back()
    {
        var skopeo = Tools.Require("skopeo");
        var umoci = Tools.Require("umoci");
        using var work = new TempDir("skopeo");
        var content = work.Combine("content");
        Directory.CreateDirectory(content);
        File.WriteAllText(Path.Combine(content, "hello.txt"), "hello registry\n");
        var layout = work.Combine("layout");
        Tools.Run(umoci, "init", "--layout", layout).EnsureSuccess("umoci init");
        Tools.Run(umoci, "new", "--image", $"{layout}:v1").EnsureSuccess("umoci new");
        Tools.Run(umoci, "insert", "--rootless", "--image", $"{layout}:v1", content, "/srv").EnsureSuccess("umoci insert");
        var localDigest = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))
            .RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString();

        await using var reg = await RegistryServer.StartAsync(new RegistryServerOptions { Users = TestUsers.All });
        var remote = $"docker://{reg.Host}/selftest/app:v1";

        var anonymous = Tools.Run(skopeo, "copy", "--dest-tls-verify=false", $"oci:{layout}:v1", remote);
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("unauthorized", anonymous.StdErr, StringComparison.OrdinalIgnoreCase);

        Tools.Run(skopeo, "copy", "--dest-tls-verify=false", "--dest-creds", "alice:wonder-land", $"oci:{layout}:v1", remote)
            .EnsureSuccess("skopeo copy");
        var inspected = Tools.Run(skopeo, "inspect", "--tls-verify=false", "--creds", "bob:read:only", "--format", "{{.Digest}}", remote)
            .EnsureSuccess("skopeo inspect").StdOut.Trim();
        Assert.Equal(localDigest, inspected);
        // The push landed in the fixture's storage folder.
        Assert.True(Directory.Exists(Path.Combine(reg.StorageDirectory, "docker", "registry", "v2", "repositories", "selftest", "app")));
    }
}
