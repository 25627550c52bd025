using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ContainerSdk.Tests.Registry;

namespace ContainerSdk.Tests.RegistryFixture;

/// <summary>The registry with bearer-token auth: the real registry checks the tokens the in-process token server signs.</summary>
[Trait("Category", "EndToEnd")]
public sealed class RegistryTokenAuthTests
{
    private static readonly Dictionary<string, string> Users = TestUsers.All;

    /// <summary>The Bearer challenge's parameters (realm, service, scope, error).</summary>
    private static Dictionary<string, string> Challenge(HttpResponseMessage response)
    {
        var bearer = response.Headers.WwwAuthenticate.Single();
        Assert.Equal("Bearer", bearer.Scheme);
        return System.Text.RegularExpressions.Regex.Matches(bearer.Parameter!, "(\\w+)=\"([^\"]*)\"")
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
    }

    private static async Task<(HttpStatusCode Status, string? Token)> FetchTokenAsync(HttpClient client, Dictionary<string, string> challenge,
        string scope, AuthenticationHeaderValue? credentials)
    {
        var uri = $"{challenge["realm"]}?service={Uri.EscapeDataString(challenge["service"])}&scope={Uri.EscapeDataString(scope)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Headers = { Authorization = credentials } };
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        if (response.StatusCode != HttpStatusCode.OK) return (response.StatusCode, null);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (response.StatusCode, json.RootElement.GetProperty("token").GetString());
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? token)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Registry_challenges_and_honours_pull_and_push_scopes_per_user()
    {
        await using var reg = await RegistryServer.StartAsync(new RegistryServerOptions
        {
            Tls = true, TokenAuth = true, Users = Users, ReadOnlyUsers = ["bob"],
        });
        using var client = reg.CreateHttpClient();

        using var anonymous = await SendAsync(client, HttpMethod.Post, "v2/team/app/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var challenge = Challenge(anonymous);
        Assert.Equal(reg.Tokens!.Realm.ToString(), challenge["realm"]);
        Assert.StartsWith("https://127.0.0.1:", challenge["realm"]);
        Assert.Equal(reg.Tokens.Service, challenge["service"]);
        // distribution lists the actions in no fixed order.
        var scope = ResourceAccess.Parse(challenge["scope"])!;
        Assert.Equal(("repository", "team/app"), (scope.Type, scope.Name));
        Assert.Equal(["pull", "push"], scope.Actions.Order());

        Assert.Equal(HttpStatusCode.Unauthorized, (await FetchTokenAsync(client, challenge, challenge["scope"], TestUsers.Basic("alice", "nope"))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await FetchTokenAsync(client, challenge, challenge["scope"], TestUsers.Basic("mallory", "wonder-land"))).Status);

        var (status, writer) = await FetchTokenAsync(client, challenge, challenge["scope"], TestUsers.Basic("alice", "wonder-land"));
        Assert.Equal(HttpStatusCode.OK, status);
        using (var push = await SendAsync(client, HttpMethod.Post, "v2/team/app/blobs/uploads/", writer))
            Assert.Equal(HttpStatusCode.Accepted, push.StatusCode);
        // A token is for the repositories it names: alice's token for team/app does not open team/other.
        using (var elsewhere = await SendAsync(client, HttpMethod.Post, "v2/team/other/blobs/uploads/", writer))
            Assert.Equal(HttpStatusCode.Unauthorized, elsewhere.StatusCode);

        var (_, reader) = await FetchTokenAsync(client, challenge, challenge["scope"], TestUsers.Basic("bob", "read:only"));
        var access = RegistryToken.ReadClaims(reader!).GetProperty("access").EnumerateArray().Single();
        Assert.Equal(["pull"], access.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        using (var denied = await SendAsync(client, HttpMethod.Post, "v2/team/app/blobs/uploads/", reader))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
            Assert.Equal("insufficient_scope", Challenge(denied)["error"]);
        }
        using (var pull = await SendAsync(client, HttpMethod.Get, "v2/team/app/tags/list", reader))
            Assert.Equal(HttpStatusCode.NotFound, pull.StatusCode); // authorized; the repository just has no tags yet

        Assert.Equal([401, 401, 200, 200], reg.Tokens.Requests.Select(r => r.Status));
        Assert.Equal(["alice", "mallory", "alice", "bob"], reg.Tokens.Requests.Select(r => r.User));
    }

    [Fact]
    public async Task Anonymous_token_grants_nothing()
    {
        await using var reg = await RegistryServer.StartAsync(new RegistryServerOptions { TokenAuth = true, Users = Users });
        using var client = reg.CreateHttpClient();
        using var anonymous = await SendAsync(client, HttpMethod.Get, "v2/team/app/tags/list", null);
        var challenge = Challenge(anonymous);
        Assert.StartsWith("http://127.0.0.1:", challenge["realm"]);
        var (status, token) = await FetchTokenAsync(client, challenge, challenge["scope"], null);
        Assert.Equal(HttpStatusCode.OK, status);
        using var refused = await SendAsync(client, HttpMethod.Get, "v2/team/app/tags/list", token);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var ping = await SendAsync(client, HttpMethod.Get, "v2/", token);
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode); // a valid token, just without rights on any repository
    }
}
