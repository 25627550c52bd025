using System.Text;
using System.Text.Json.Nodes;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Tests.Registry;

/// <summary>
/// docker's identity tokens (OAuth2 refresh tokens): config.json's <c>identitytoken</c>, or a credential helper's user
/// <c>&lt;token&gt;</c>, traded at the token server with <c>grant_type=refresh_token</c> for access tokens.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class IdentityTokenTests
{
    private const string RefreshToken = "rt-0f9e8d7c6b5a";
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static Task<RegistryServer> StartAsync() => RegistryServer.StartAsync(new RegistryServerOptions
    {
        TokenAuth = true,
        Users = new Dictionary<string, string> { ["ci"] = "ci-password" },
        RefreshTokens = new Dictionary<string, string> { [RefreshToken] = "ci" },
    });

    /// <summary>A docker config.json as `docker login` leaves it for an OAuth2 registry: no password, an identity token.</summary>
    private static string DockerConfig(TempDir dir, string registry, string identityToken)
    {
        var folder = dir.Combine("docker");
        Directory.CreateDirectory(folder);
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("00000000-0000-0000-0000-000000000000:"));
        File.WriteAllText(Path.Combine(folder, "config.json"),
            new JsonObject { ["auths"] = new JsonObject { [registry] = new JsonObject { ["auth"] = auth, ["identitytoken"] = identityToken } } }.ToJsonString());
        return folder;
    }

    [Fact]
    public async Task An_identity_token_in_docker_config_json_is_traded_for_access_tokens_and_never_shown()
    {
        using var dir = new TempDir("idtoken");
        await using var reg = await StartAsync();
        var layout = TestLayout.Create(dir.Combine("layout"));
        var log = new TranscriptLog();
        var options = TestRegistryOptions.Plain(reg, dir.Combine("home"), new Dictionary<string, string> { ["DOCKER_CONFIG"] = DockerConfig(dir, reg.Host, RefreshToken) });

        var pushed = await new ImagePusher(options, log).PushLayoutAsync(layout.Path, reg.Host, "site/app", new[] { "1" }, cancel: Cancel);
        Assert.Equal(layout.Digest, pushed.Digest);
        var pulled = await new ImagePuller(options, new BlobStore(dir.Combine("cache")), log)
            .PullAsync(RegistryReference.Parse($"docker://{reg.Host}/site/app:1"), Platform.Parse("linux/amd64"), Cancel);
        Assert.Equal(layout.Digest, pulled.Digest);
        // Every token the build got came from the refresh-token grant, as the user the token stands for.
        var requests = reg.Tokens!.Requests;
        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.Equal(("refresh_token", "ci", 200), (r.Grant, r.User, r.Status)));
        Assert.Contains(requests, r => r.Scopes.SequenceEqual(new[] { "repository:site/app:pull,push" }));
        Assert.DoesNotContain(RefreshToken, log.All);

        // A revoked (unknown) identity token: refused by the token server, a coded error that names where it came from, not what it is.
        var revoked = TestRegistryOptions.Plain(reg, dir.Combine("home"),
            new Dictionary<string, string> { ["DOCKER_CONFIG"] = DockerConfig(new TempDir("idtoken-revoked"), reg.Host, "rt-revoked-1234") });
        var refused = await Assert.ThrowsAsync<ContainerSdkException>(() => new ImagePuller(revoked, new BlobStore(dir.Combine("cache2")), log)
            .PullAsync(RegistryReference.Parse($"docker://{reg.Host}/site/app:1"), Platform.Parse("linux/amd64"), Cancel));
        Assert.Equal(Codes.RegistryUnauthorized, refused.Code);
        Assert.Contains("identity token from", refused.Message);
        Assert.Contains("config.json", refused.Message);
        Assert.DoesNotContain("rt-revoked-1234", refused.ToString());
        Assert.Equal(401, reg.Tokens.Requests.Last().Status);
    }

    [Fact]
    public async Task A_credential_helper_answering_with_the_user_token_gives_an_identity_token()
    {
        using var dir = new TempDir("idtoken-helper");
        await using var reg = await StartAsync();
        var layout = TestLayout.Create(dir.Combine("layout"));
        var bin = dir.Combine("bin");
        Directory.CreateDirectory(bin);
        var helper = Path.Combine(bin, "docker-credential-oauth");
        File.WriteAllText(helper, "#!/bin/sh\nread -r server\necho '{\"ServerURL\":\"'\"$server\"'\",\"Username\":\"<token>\",\"Secret\":\"" + RefreshToken + "\"}'\n");
        File.SetUnixFileMode(helper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var docker = dir.Combine("docker");
        Directory.CreateDirectory(docker);
        File.WriteAllText(Path.Combine(docker, "config.json"), $"{{\"credHelpers\":{{\"{reg.Host}\":\"oauth\"}}}}");
        var log = new TranscriptLog();
        var options = TestRegistryOptions.Plain(reg, dir.Combine("home"), new Dictionary<string, string>
        {
            ["DOCKER_CONFIG"] = docker,
            ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"),
        });

        var pushed = await new ImagePusher(options, log).PushLayoutAsync(layout.Path, reg.Host, "site/helper", new[] { "1" }, cancel: Cancel);
        Assert.Equal(layout.Digest, pushed.Digest);
        Assert.All(reg.Tokens!.Requests, r => Assert.Equal(("refresh_token", "ci", 200), (r.Grant, r.User, r.Status)));
        Assert.DoesNotContain(RefreshToken, log.All);
    }
}
