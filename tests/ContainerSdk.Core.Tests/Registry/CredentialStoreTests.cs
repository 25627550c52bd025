using System.Text;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Registry.Credentials;

namespace ContainerSdk.Tests.Registry;

/// <summary>Where credentials are found, in podman's and docker's order, and that no secret leaks into an error.</summary>
public sealed class CredentialStoreTests
{
    private static string Auth(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    private static string Auths(params (string Key, string User, string Password)[] entries) =>
        "{\"auths\":{" + string.Join(",", entries.Select(e => $"\"{e.Key}\":{{\"auth\":\"{Auth(e.User, e.Password)}\"}}")) + "}}";

    private static void Write(string path, string json)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, json);
    }

    [Fact]
    public void Files_are_read_in_podman_then_docker_order_and_the_variables_come_last()
    {
        using var dir = new TempDir("creds");
        var home = dir.Combine("home");
        var explicitFile = dir.Combine("explicit.json");
        var runtime = dir.Combine("run");
        Write(explicitFile, Auths(("reg.example:5000", "explicit", "p1")));
        Write(Path.Combine(runtime, "containers", "auth.json"), Auths(("reg.example:5000", "runtime", "p2"), ("other.example", "runtime-other", "p3")));
        Write(Path.Combine(home, ".config", "containers", "auth.json"), Auths(("third.example", "config", "p4")));
        Write(Path.Combine(home, ".docker", "config.json"), Auths(("https://fourth.example/v1/", "docker", "p5")));
        var variables = new Dictionary<string, string>
        {
            ["REGISTRY_AUTH_FILE"] = explicitFile,
            ["XDG_RUNTIME_DIR"] = runtime,
            ["CONTAINERSDK_REGISTRY_USER"] = "env-user",
            ["CONTAINERSDK_REGISTRY_PASSWORD"] = "env-secret",
        };
        var store = new CredentialStore(TestRegistryOptions.Environment(home, variables));
        Assert.Equal(("explicit", "p1"), Pair(store.Find("reg.example:5000", "site")));
        Assert.Equal(("runtime-other", "p3"), Pair(store.Find("other.example", "site")));
        Assert.Equal(("config", "p4"), Pair(store.Find("third.example", "site")));
        Assert.Equal(("docker", "p5"), Pair(store.Find("fourth.example", "site")));
        Assert.Equal(("env-user", "env-secret"), Pair(store.Find("fifth.example", "site")));

        var dotnet = new CredentialStore(TestRegistryOptions.Environment(home, new Dictionary<string, string>
        {
            ["DOTNET_CONTAINER_REGISTRY_UNAME"] = "dn", ["DOTNET_CONTAINER_REGISTRY_PWORD"] = "dn-secret",
        }));
        Assert.Equal(("dn", "dn-secret"), Pair(dotnet.Find("fifth.example", "site")));
        Assert.Null(new CredentialStore(TestRegistryOptions.Environment(home)).Find("fifth.example", "site"));
    }

    [Fact]
    public void A_repository_key_beats_the_registry_key_and_robot_names_are_kept_whole()
    {
        using var dir = new TempDir("creds");
        var home = dir.Combine("home");
        var file = Auths(("harbor.example", "robot$ci+pull", "tok:en"), ("harbor.example/licensed", "robot$licensed+push", "other"))[..^2]
                   + ",\"harbor.example/licensed/suite\":{\"username\":\"robot$suite\",\"password\":\"third\"}}}";
        Write(Path.Combine(home, ".config", "containers", "auth.json"), file);
        var store = new CredentialStore(TestRegistryOptions.Environment(home));
        Assert.Equal(("robot$ci+pull", "tok:en"), Pair(store.Find("harbor.example", "public/base")));
        Assert.Equal(("robot$licensed+push", "other"), Pair(store.Find("harbor.example", "licensed/tools")));
        Assert.Equal(("robot$suite", "third"), Pair(store.Find("harbor.example", "licensed/suite")));
        Assert.DoesNotContain("tok:en", store.Find("harbor.example", "public/base")!.ToString());
    }

    [Fact]
    public void Credential_helpers_speak_the_docker_protocol_and_credHelpers_beat_credsStore()
    {
        using var dir = new TempDir("helper");
        var home = dir.Combine("home");
        var bin = dir.Combine("bin");
        var requests = dir.Combine("requests.log");
        WriteHelper(bin, "site", requests, """{"ServerURL":"$server","Username":"site-user","Secret":"site-secret"}""");
        WriteHelper(bin, "store", requests, """{"ServerURL":"$server","Username":"store-user","Secret":"store-secret"}""");
        Write(Path.Combine(home, ".docker", "config.json"), """{"credHelpers":{"reg.example:5000":"site"},"credsStore":"store","auths":{"plain.example":{}}}""");
        var store = new CredentialStore(TestRegistryOptions.Environment(home, new Dictionary<string, string> { ["PATH"] = bin + ":/usr/bin:/bin" }));
        Assert.Equal(("site-user", "site-secret"), Pair(store.Find("reg.example:5000", "x")));
        Assert.Equal(("store-user", "store-secret"), Pair(store.Find("plain.example", "x")));
        Assert.Equal(new[] { "site get reg.example:5000", "store get plain.example" }, File.ReadAllLines(requests));
    }

    [Fact]
    public void A_helper_with_no_entry_means_anonymous_and_a_failing_one_is_a_coded_error_without_its_output()
    {
        using var dir = new TempDir("helper");
        var home = dir.Combine("home");
        var bin = dir.Combine("bin");
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "docker-credential-none"), "#!/bin/sh\necho 'credentials not found in native keychain'\nexit 1\n");
        File.WriteAllText(Path.Combine(bin, "docker-credential-broken"), "#!/bin/sh\necho 'leaked-secret-value'\necho 'leaked-secret-value' >&2\nexit 3\n");
        foreach (var f in Directory.GetFiles(bin)) File.SetUnixFileMode(f, (UnixFileMode)0x1ED);
        Write(Path.Combine(home, ".docker", "config.json"), """{"credHelpers":{"a.example":"none","b.example":"broken","c.example":"absent"}}""");
        var store = new CredentialStore(TestRegistryOptions.Environment(home, new Dictionary<string, string> { ["PATH"] = bin + ":/usr/bin:/bin" }));
        Assert.Null(store.Find("a.example", "x"));
        var broken = Assert.Throws<ContainerSdkException>(() => store.Find("b.example", "x"));
        Assert.Equal(Codes.RegistryCredentialsFailed, broken.Code);
        Assert.Contains("docker-credential-broken", broken.Message);
        Assert.Contains("code 3", broken.Message);
        Assert.DoesNotContain("leaked-secret-value", broken.Message);
        var absent = Assert.Throws<ContainerSdkException>(() => store.Find("c.example", "x"));
        Assert.Contains("not on PATH", absent.Message);
    }

    [Fact]
    public void A_malformed_auth_file_is_a_coded_error_naming_the_file_not_its_content()
    {
        using var dir = new TempDir("creds");
        var home = dir.Combine("home");
        var path = Path.Combine(home, ".docker", "config.json");
        Write(path, "{\"auths\":{\"a.example\":{\"auth\":\"c2VjcmV0LXZhbHVl\"}}, oops-secret-value }");
        var e = Assert.Throws<ContainerSdkException>(() => new CredentialStore(TestRegistryOptions.Environment(home)).Find("a.example", "x"));
        Assert.Equal(Codes.RegistryCredentialsFailed, e.Code);
        Assert.Equal(path, e.File);
        Assert.DoesNotContain("secret", e.Message);
        Assert.DoesNotContain("c2Vj", e.Message);
    }

    /// <summary>A helper that records "name get server" and answers the protocol's JSON.</summary>
    private static void WriteHelper(string bin, string name, string requests, string answer)
    {
        Directory.CreateDirectory(bin);
        var path = Path.Combine(bin, "docker-credential-" + name);
        File.WriteAllText(path, $"#!/bin/sh\nread -r server\necho \"{name} $1 $server\" >> '{requests}'\ncat <<EOF\n{answer}\nEOF\n");
        File.SetUnixFileMode(path, (UnixFileMode)0x1ED);
    }

    private static (string, string)? Pair(RegistryCredential? c) => c is null ? null : (c.UserName, c.Secret);
}
