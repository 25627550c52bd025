using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Tests.Registry;

/// <summary>Bearer-token registries: tokens asked per repository and action, kept per scope, renewed when they expire or fall short.</summary>
[Trait("Category", "EndToEnd")]
public sealed class TokenAuthTests
{
    private const string Robot = "robot$site+ci";
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static Dictionary<string, string> Login(string user, string password) =>
        new() { ["CONTAINERSDK_REGISTRY_USER"] = user, ["CONTAINERSDK_REGISTRY_PASSWORD"] = password };

    [Fact]
    public async Task A_robot_account_pushes_with_one_token_per_scope_and_a_reader_may_pull_but_not_push()
    {
        using var dir = new TempDir("token");
        await using var reg = await RegistryServer.StartAsync(new RegistryServerOptions
        {
            TokenAuth = true,
            Users = new Dictionary<string, string> { [Robot] = "robot-secret", ["reader"] = "reader-secret" },
            ReadOnlyUsers = new[] { "reader" },
        });
        var layout = TestLayout.Create(dir.Combine("layout"), "v1", 100, 200, 300, 400);
        var log = new TranscriptLog();
        var robot = TestRegistryOptions.Plain(reg, dir.Combine("home"), Login(Robot, "robot-secret"));
        await new ImagePusher(robot, log).PushLayoutAsync(layout.Path, reg.Host, "site/app", new[] { "1" }, cancel: Cancel);
        // Five blobs and a manifest, one token: it is kept for its scope.
        var pushTokens = reg.Tokens!.Requests.Where(r => r.User == Robot).ToList();
        Assert.Single(pushTokens);
        Assert.Equal(new[] { "repository:site/app:pull,push" }, pushTokens[0].Scopes);
        Assert.Equal(200, pushTokens[0].Status);

        var reader = TestRegistryOptions.Plain(reg, dir.Combine("home"), Login("reader", "reader-secret"));
        var pulled = await new ImagePuller(reader, new BlobStore(dir.Combine("cache")), log)
            .PullAsync(RegistryReference.Parse($"docker://{reg.Host}/site/app:1"), Platform.Parse("linux/amd64"), Cancel);
        Assert.Equal(layout.Digest, pulled.Digest);
        Assert.Equal(new[] { "repository:site/app:pull" }, reg.Tokens.Requests.Where(r => r.User == "reader").Select(r => string.Join(' ', r.Scopes)).Distinct());

        int before = reg.Tokens.Requests.Count(r => r.User == "reader");
        var refused = await Assert.ThrowsAsync<ContainerSdkException>(() => new ImagePusher(reader, log)
            .PushLayoutAsync(TestLayout.Create(dir.Combine("other")).Path, reg.Host, "site/app", new[] { "2" }, cancel: Cancel));
        Assert.Equal(Codes.RegistryUnauthorized, refused.Code);
        Assert.Contains("user 'reader'", refused.Message);
        // The registry said the token falls short: a fresh one was asked for before giving up, a bounded number of times:
        // the first token, then per blob in flight (three here) at most twice, as a blob that was refused with a token
        // another blob had already replaced asks again once (a CI run saw 5).
        Assert.InRange(reg.Tokens.Requests.Count(r => r.User == "reader") - before, 2, 1 + 2 * 3);
        Assert.DoesNotContain("secret", log.All + refused.Message);
    }

    [Fact]
    public async Task An_expired_token_is_renewed_and_a_wrong_password_is_refused_by_the_token_server()
    {
        using var dir = new TempDir("token");
        await using var reg = await RegistryServer.StartAsync(new RegistryServerOptions
        {
            TokenAuth = true,
            Users = new Dictionary<string, string> { ["ci"] = "pw" },
            TokenLifetime = TimeSpan.FromMinutes(5),
        });
        // The client's clock, not the test, moves past the token's lifetime: the registry still takes the old token, so
        // only the client's own expiry makes it ask again.
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var options = TestRegistryOptions.Plain(reg, dir.Combine("home"), Login("ci", "pw")) with { Clock = clock };
        using (var client = new RegistryClient(reg.Host, options, new TranscriptLog()))
        {
            var layout = TestLayout.Create(dir.Combine("layout"));
            var blob = layout.Manifest.Layers[0];
            Assert.Null(await client.BlobSizeAsync("site", blob.Digest, Cancel));
            Assert.Null(await client.BlobSizeAsync("site", blob.Digest, Cancel));
            Assert.Single(reg.Tokens!.Requests);
            clock.Advance(TimeSpan.FromMinutes(5));
            Assert.Null(await client.BlobSizeAsync("site", blob.Digest, Cancel));
            Assert.Equal(2, reg.Tokens.Requests.Count);
        }

        var wrong = TestRegistryOptions.Plain(reg, dir.Combine("home"), Login("ci", "nope"));
        var e = await Assert.ThrowsAsync<ContainerSdkException>(() => new ImagePuller(wrong, new BlobStore(dir.Combine("cache")), new TranscriptLog())
            .PullAsync(RegistryReference.Parse($"docker://{reg.Host}/site:1"), Platform.Parse("linux/amd64"), Cancel));
        Assert.Equal(Codes.RegistryUnauthorized, e.Code);
        Assert.Contains("token server refused user 'ci'", e.Message);
    }
}
