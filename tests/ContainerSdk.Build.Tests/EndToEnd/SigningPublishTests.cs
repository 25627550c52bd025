using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ContainerSdk.Tests.Images;
using ContainerSdk.Tests.Registry;

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>One registry for the signing tests: TLS verified with the test CA, htpasswd logins.</summary>
public sealed class SigningRegistry : IAsyncLifetime
{
    public const string User = "signer";
    public const string Password = "sign-registry-secret";

    public RegistryServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        Server = await RegistryServer.StartAsync(new RegistryServerOptions { Tls = true, Users = new Dictionary<string, string> { [User] = Password } });

    public async ValueTask DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
    }
}

/// <summary>
/// ContainerSigningKey through <c>dotnet publish</c> against a real registry over verified TLS, checked by the
/// verifiers sites use: podman with a <c>policy.json</c> that requires <c>signedBy</c> and a <c>registries.d</c> lookaside
/// for GPG; openssl (and podman's <c>sigstoreSigned</c> where this podman has sigstore) for the cosign format.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class SigningPublishTests(SdkPackage sdk, SigningRegistry registry) : IClassFixture<SigningRegistry>
{
    private RegistryServer Reg => registry.Server;

    private static string Creds => $"{SigningRegistry.User}:{SigningRegistry.Password}";

    private static Tools.Result Dotnet(TestProject project, IReadOnlyDictionary<string, string?> environment, string verbosity, params string[] args)
    {
        var env = EndToEnd.Dotnet.ChildEnvironment(project.PackagesFolder);
        foreach (var (k, v) in environment) env[k] = v;
        return Tools.Run(EndToEnd.Dotnet.Path, args.Concat(new[] { "-nologo", "-tl:off", "--disable-build-servers", "-v:" + verbosity }), project.Directory, env,
            TimeSpan.FromMinutes(8));
    }

    /// <summary>A project `dotnet publish` sends to the test registry over verified TLS, with the registry's login and CA in <paramref name="env"/>.</summary>
    private async Task<(TestProject Project, Dictionary<string, string?> Env)> SignedProjectAsync(string name, string repository, string tags, string signing)
    {
        var project = new TestProject(sdk, Path.Combine(sdk.Root, name + "-" + Guid.NewGuid().ToString("N")[..8]));
        var authFile = project.Path("..", Path.GetFileName(project.Directory) + "-auth.json");
        var login = Convert.ToBase64String(Encoding.UTF8.GetBytes(Creds));
        File.WriteAllText(authFile, new JsonObject { ["auths"] = new JsonObject { [Reg.Host] = new JsonObject { ["auth"] = login } } }.ToJsonString());
        Tree.TextRootfs(project.Path("base"));
        Tree.FileAt(project.Path("modules", "tool", "share", "tool.txt"), $"{name}\n", "644");
        await project.WriteAsync($"""
              <PropertyGroup>
                <ContainerRegistry>{Reg.Host}</ContainerRegistry>
                <ContainerRepository>{repository}</ContainerRepository>
                <ContainerImageTags>{tags}</ContainerImageTags>
            {signing}
              </PropertyGroup>
              <ItemGroup>
                <BaseLayer Include="base" />
                <Module Include="modules/tool" TargetPath="/opt/tool" />
              </ItemGroup>
            """);
        // The test CA is the trust store OpenSSL reads for the build (the registry is not listed as insecure).
        return (project, new Dictionary<string, string?> { ["REGISTRY_AUTH_FILE"] = authFile, ["SSL_CERT_FILE"] = Reg.CaCertificatePath });
    }

    /// <summary>A certs.d/&lt;host&gt; folder with the registry's CA, as podman's and skopeo's --cert-dir read it.</summary>
    private string CertDir(string root)
    {
        var folder = Path.Combine(root, "certs.d", Reg.Host);
        Directory.CreateDirectory(folder);
        File.Copy(Reg.CaCertificatePath!, Path.Combine(folder, "ca.crt"), overwrite: true);
        return folder;
    }

    /// <summary>The line of MSBuild's canonical error <paramref name="code"/> at the project file.</summary>
    private static int ErrorLine(TestProject project, Tools.Result build, string code)
    {
        var match = new Regex($@"^\s*(?:\d+(?::\d+)?>)?{Regex.Escape(project.ProjectPath)}\((\d+)(?:,\d+)?\): error {code}: ", RegexOptions.Multiline).Match(build.StdOut);
        Assert.True(match.Success, $"no {code} at {project.ProjectPath}:\n{build.StdOut}");
        Assert.DoesNotContain("   at ", build.StdOut);
        return int.Parse(match.Groups[1].Value);
    }

    /// <summary>A new GNUPGHOME with one unprotected ed25519 signing key; returns its fingerprint.</summary>
    private static string NewGpgKey(string gpg, string home, string name)
    {
        Directory.CreateDirectory(home);
        Tree.Chmod(home, "700");
        Tools.Run(gpg, "--homedir", home, "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", $"{name} <{name}@example.org>", "ed25519", "sign", "never")
            .EnsureSuccess("gpg --quick-gen-key");
        var listing = Tools.Run(gpg, "--homedir", home, "--batch", "--with-colons", "--list-secret-keys").EnsureSuccess("gpg --list-secret-keys").StdOut;
        return listing.Split('\n').First(l => l.StartsWith("fpr:", StringComparison.Ordinal)).Split(':')[9];
    }

    /// <summary>Copies a new, empty image made by umoci (other content than any build's) to <paramref name="reference"/>, unsigned.</summary>
    private void PushOtherImage(string skopeo, string root, string reference)
    {
        var umoci = Tools.Require("umoci");
        var layout = Path.Combine(root, "other-layout");
        if (!Directory.Exists(layout))
        {
            Tools.Run(umoci, "init", "--layout", layout).EnsureSuccess("umoci init");
            Tools.Run(umoci, "new", "--image", layout + ":other").EnsureSuccess("umoci new");
        }
        Tools.Run(skopeo, "copy", "--dest-cert-dir", CertDir(root), "--dest-creds", Creds, $"oci:{layout}:other", $"docker://{reference}")
            .EnsureSuccess("skopeo copy " + reference);
    }

    [Fact]
    public async Task A_GPG_key_signs_into_the_lookaside_store_and_podman_pulls_only_what_it_signed()
    {
        var gpg = Tools.Require("gpg");
        var skopeo = Tools.Require("skopeo");
        Tools.Require("podman");
        using var dir = new TempDir("gpg-signing");
        string signerHome = dir.Combine("signer"), otherHome = dir.Combine("other");
        // gpg starts an agent per keyring folder; it must not outlive the folder.
        using var agents = new GpgAgents(gpg, signerHome, otherHome);
        var fingerprint = NewGpgKey(gpg, signerHome, "signer");
        NewGpgKey(gpg, otherHome, "other");
        string publicKey = dir.Combine("signer.gpg"), otherKey = dir.Combine("other.gpg");
        Tools.Run(gpg, "--homedir", signerHome, "--batch", "--output", publicKey, "--export").EnsureSuccess("gpg --export");
        Tools.Run(gpg, "--homedir", otherHome, "--batch", "--output", otherKey, "--export").EnsureSuccess("gpg --export");
        var store = dir.Combine("sigstore");
        var (project, env) = await SignedProjectAsync("gpgsign", "hpc/signed", "1;latest", $"""
                <ContainerSigningKey>{fingerprint}</ContainerSigningKey>
                <ContainerSignatureStore>{store}</ContainerSignatureStore>
            """);

        // A GPG key without its store: every build says so (no key is read), at ContainerSigningKey's line.
        var noStore = Dotnet(project, env, "n", "build", project.ProjectPath, "-p:ContainerSignatureStore=");
        Assert.Equal(project.LineOf("<ContainerSigningKey>"), ErrorLine(project, noStore, "CSDK3041"));

        // Under a keyring without the key: a coded error at ContainerSigningKey's line, before anything is pushed.
        env["GNUPGHOME"] = otherHome;
        var missing = Dotnet(project, env, "n", "publish", project.ProjectPath);
        Assert.Equal(project.LineOf("<ContainerSigningKey>"), ErrorLine(project, missing, "CSDK3043"));
        Assert.False(Directory.Exists(Path.Combine(Reg.StorageDirectory, "docker", "registry", "v2", "repositories", "hpc", "signed")), "pushed despite the key error");

        env["GNUPGHOME"] = signerHome;
        var published = Dotnet(project, env, "n", "publish", project.ProjectPath).EnsureSuccess("dotnet publish");
        var digest = ImageTools.ManifestDigest(project.ImageLayout);
        var folder = Path.Combine(store, $"hpc/signed@sha256={digest["sha256:".Length..]}");
        // One signature per tag: containers/image accepts a signature only for the exact reference it names.
        var payloads = new[] { 1, 2 }.Select(n => Tools.Run(gpg, "--homedir", signerHome, "--batch", "--decrypt", Path.Combine(folder, $"signature-{n}"))
            .EnsureSuccess("gpg --decrypt").StdOut).ToList();
        foreach (var tag in new[] { "1", "latest" })
            Assert.Contains(payloads, p => JsonNode.Parse(p)!["critical"]!.ToJsonString() ==
                new JsonObject
                {
                    ["identity"] = new JsonObject { ["docker-reference"] = $"{Reg.Host}/hpc/signed:{tag}" },
                    ["image"] = new JsonObject { ["docker-manifest-digest"] = digest },
                    ["type"] = "atomic container signature",
                }.ToJsonString());
        Assert.Contains($"Signed {Reg.Host}/hpc/signed:1 ({digest})", published.StdOut);

        // Published again: the signatures are there already, none is added.
        var again = Dotnet(project, env, "n", "build", project.ProjectPath, "-t:PublishContainer").EnsureSuccess("publish again");
        Assert.Contains("already in", again.StdOut);
        Assert.False(File.Exists(Path.Combine(folder, "signature-3")), again.StdOut);

        // podman as a node is configured: policy.json requires the site's key for this registry, registries.d names the store.
        var podmanHome = dir.Combine("home");
        Tree.FileAt(Path.Combine(podmanHome, ".config", "containers", "registries.d", "site.yaml"),
            $"docker:\n  {Reg.Host}:\n    lookaside: file://{store}\n");
        string Policy(string name, string keyPath) => Tree.FileAt(dir.Combine(name), new JsonObject
        {
            ["default"] = new JsonArray(new JsonObject { ["type"] = "reject" }),
            ["transports"] = new JsonObject
            {
                ["docker"] = new JsonObject { [Reg.Host] = new JsonArray(new JsonObject { ["type"] = "signedBy", ["keyType"] = "GPGKeys", ["keyPath"] = keyPath }) },
            },
        }.ToJsonString());
        string sitePolicy = Policy("policy.json", publicKey), otherPolicy = Policy("other-policy.json", otherKey);
        using var podman = new Podman(new Dictionary<string, string?> { ["HOME"] = podmanHome });
        Tools.Result Pull(string policy, string reference) =>
            podman.Run("pull", "--signature-policy", policy, "--cert-dir", CertDir(dir.Path), "--creds", Creds, reference);

        var pulled = Pull(sitePolicy, $"{Reg.Host}/hpc/signed:1").EnsureSuccess("podman pull of the signed image");
        var inspected = JsonNode.Parse(podman.Run("image", "inspect", $"{Reg.Host}/hpc/signed:1").EnsureSuccess("podman image inspect").StdOut)!.AsArray()[0]!;
        Assert.Equal(digest, inspected["Digest"]!.GetValue<string>());

        var otherKeyring = Pull(otherPolicy, $"{Reg.Host}/hpc/signed:latest");
        Assert.True(otherKeyring.ExitCode != 0, "pulled under another keyring:\n" + otherKeyring.StdOut + otherKeyring.StdErr);
        Assert.Contains("None of the signatures were accepted", otherKeyring.StdErr);

        PushOtherImage(skopeo, dir.Path, $"{Reg.Host}/hpc/unsigned:1");
        var unsigned = Pull(sitePolicy, $"{Reg.Host}/hpc/unsigned:1");
        Assert.True(unsigned.ExitCode != 0, "pulled an unsigned image:\n" + unsigned.StdOut + unsigned.StdErr);
        Assert.Contains("no signature exists", unsigned.StdErr);

        // The tag moved to other content: its signatures name the old digest.
        PushOtherImage(skopeo, dir.Path, $"{Reg.Host}/hpc/signed:1");
        var moved = Pull(sitePolicy, $"{Reg.Host}/hpc/signed:1");
        Assert.True(moved.ExitCode != 0, "pulled a moved tag:\n" + moved.StdOut + moved.StdErr);
        // Lookaside signatures are stored by digest: the new digest has none.
        Assert.Contains("no signature exists", moved.StdErr);
        Assert.DoesNotContain(SigningRegistry.Password, published.StdOut + again.StdOut);
        foreach (var (what, result) in new[] { ("another keyring", otherKeyring), ("unsigned", unsigned), ("moved tag", moved) })
            TestContext.Current.TestOutputHelper?.WriteLine($"{what}: {result.StdErr.Trim()}");
    }

    /// <summary>Stops the gpg-agent of each keyring folder (gpgconf --kill) when disposed.</summary>
    private sealed class GpgAgents(string gpg, params string[] homes) : IDisposable
    {
        public void Dispose()
        {
            var gpgconf = Path.Combine(Path.GetDirectoryName(gpg)!, "gpgconf");
            foreach (var home in homes.Where(Directory.Exists))
                Tools.Run(gpgconf, "--homedir", home, "--kill", "gpg-agent");
        }
    }

    [Fact]
    public async Task A_PEM_key_pushes_a_cosign_signature_that_openssl_verifies_and_no_log_holds_the_key_or_its_passphrase()
    {
        var openssl = Tools.Require("openssl");
        var skopeo = Tools.Require("skopeo");
        using var dir = new TempDir("pem-signing");
        string passphrase = "pem-pass-" + Guid.NewGuid().ToString("N");
        string key = dir.Combine("key.pem"), publicKey = dir.Combine("pub.pem"), otherKey = dir.Combine("other.pem"), otherPublic = dir.Combine("other-pub.pem");
        Tools.Run(openssl, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes-256-cbc", "-pass", "pass:" + passphrase, "-out", key)
            .EnsureSuccess("openssl genpkey");
        Tools.Run(openssl, "pkey", "-in", key, "-passin", "pass:" + passphrase, "-pubout", "-out", publicKey).EnsureSuccess("openssl pkey -pubout");
        Tools.Run(openssl, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", otherKey).EnsureSuccess("openssl genpkey other");
        Tools.Run(openssl, "pkey", "-in", otherKey, "-pubout", "-out", otherPublic).EnsureSuccess("openssl pkey other");
        var privateDer = Tools.RunBytes(openssl, "pkey", "-in", key, "-passin", "pass:" + passphrase, "-outform", "DER");
        var (project, env) = await SignedProjectAsync("pemsign", "hpc/cosigned", "1", $"""
                <ContainerSigningKey>{key}</ContainerSigningKey>
            """);

        // A wrong passphrase: a coded error at the property's line, and nothing pushed.
        env["CONTAINERSDK_SIGNING_KEY_PASSWORD"] = "wrong-" + passphrase;
        var wrong = Dotnet(project, env, "n", "publish", project.ProjectPath);
        Assert.Equal(project.LineOf("<ContainerSigningKey>"), ErrorLine(project, wrong, "CSDK3042"));
        Assert.False(Directory.Exists(Path.Combine(Reg.StorageDirectory, "docker", "registry", "v2", "repositories", "hpc", "cosigned")), "pushed despite the key error");

        env["CONTAINERSDK_SIGNING_KEY_PASSWORD"] = passphrase;
        var binlog = dir.Combine("publish.binlog");
        var published = Dotnet(project, env, "diag", "publish", project.ProjectPath, "-bl:" + binlog).EnsureSuccess("dotnet publish -v:diag -bl");
        var digest = ImageTools.ManifestDigest(project.ImageLayout);
        var tag = $"sha256-{digest["sha256:".Length..]}.sig";
        var certDir = CertDir(dir.Path);
        string SignatureManifest() => Tools.Run(skopeo, "inspect", "--raw", "--cert-dir", certDir, "--creds", Creds, $"docker://{Reg.Host}/hpc/cosigned:{tag}")
            .EnsureSuccess("skopeo inspect the .sig manifest").StdOut;
        var manifestText = SignatureManifest();
        var layer = JsonNode.Parse(manifestText)!["layers"]!.AsArray().Single()!;
        Assert.Equal("application/vnd.dev.cosign.simplesigning.v1+json", layer["mediaType"]!.GetValue<string>());
        var layerDigest = layer["digest"]!.GetValue<string>()["sha256:".Length..];
        var payload = File.ReadAllBytes(Path.Combine(Reg.StorageDirectory, "docker", "registry", "v2", "blobs", "sha256", layerDigest[..2], layerDigest, "data"));
        var critical = JsonNode.Parse(payload)!["critical"]!;
        Assert.Equal($"{Reg.Host}/hpc/cosigned:1", critical["identity"]!["docker-reference"]!.GetValue<string>());
        Assert.Equal(digest, critical["image"]!["docker-manifest-digest"]!.GetValue<string>());
        Assert.Equal("cosign container image signature", critical["type"]!.GetValue<string>());

        // openssl, an independent verifier: the annotation's signature over the payload's bytes, under this key only.
        var payloadFile = dir.Combine("payload.json");
        var signatureFile = dir.Combine("signature.der");
        using (var p = new ContainerSdk.Core.IO.TempFile(payloadFile)) { p.WriteAllBytes(payload); p.Commit(); }
        using (var s = new ContainerSdk.Core.IO.TempFile(signatureFile))
        {
            s.WriteAllBytes(Convert.FromBase64String(layer["annotations"]!["dev.cosignproject.cosign/signature"]!.GetValue<string>()));
            s.Commit();
        }
        var verified = Tools.Run(openssl, "dgst", "-sha256", "-verify", publicKey, "-signature", signatureFile, payloadFile);
        Assert.True(verified.ExitCode == 0 && verified.StdOut.Contains("Verified OK"), verified.StdOut + verified.StdErr);
        var other = Tools.Run(openssl, "dgst", "-sha256", "-verify", otherPublic, "-signature", signatureFile, payloadFile);
        Assert.True(other.ExitCode != 0, "verified under another key: " + other.StdOut);

        // Neither the passphrase nor any byte of the key is in the diagnostic log or the binary log.
        using (var gz = new GZipStream(File.OpenRead(binlog), CompressionMode.Decompress))
        using (var bytes = new MemoryStream())
        {
            gz.CopyTo(bytes);
            AssertNoSecret(bytes.ToArray(), passphrase, key, privateDer, "the binary log");
        }
        AssertNoSecret(Encoding.UTF8.GetBytes(published.StdOut + published.StdErr), passphrase, key, privateDer, "the diagnostic log");
        Assert.Contains("Environment at start of build", published.StdOut + published.StdErr); // it is the diagnostic log

        // Published again: the signature is there, the .sig manifest unchanged.
        var again = Dotnet(project, env, "n", "build", project.ProjectPath, "-t:PublishContainer").EnsureSuccess("publish again");
        Assert.Contains("already in", again.StdOut);
        Assert.Equal(manifestText, SignatureManifest());

        PodmanSigstoreCheck(dir, publicKey, otherPublic, certDir);
    }

    /// <summary>The passphrase (UTF-8 and UTF-16), the key file's PEM lines and its private key (DER and base64) are nowhere in <paramref name="log"/>.</summary>
    private static void AssertNoSecret(byte[] log, string passphrase, string keyFile, byte[] privateDer, string what)
    {
        var needles = new List<byte[]> { Encoding.UTF8.GetBytes(passphrase), Encoding.Unicode.GetBytes(passphrase), privateDer, Encoding.UTF8.GetBytes(Convert.ToBase64String(privateDer)[..40]) };
        needles.AddRange(File.ReadAllLines(keyFile).Where(l => !l.StartsWith("-----", StringComparison.Ordinal) && l.Length > 16).Select(Encoding.UTF8.GetBytes));
        foreach (var needle in needles)
            Assert.True(log.AsSpan().IndexOf(needle) < 0, $"{what} holds a secret ({needle.Length} bytes)");
    }

    /// <summary>
    /// podman's own check of the sigstore signature (<c>sigstoreSigned</c>, <c>use-sigstore-attachments</c>), where this
    /// podman has it: Debian builds podman without sigstore, and this part then says that it skips.
    /// </summary>
    private void PodmanSigstoreCheck(TempDir dir, string publicKey, string otherPublic, string certDir)
    {
        if (Tools.Find("podman") is null) { TestContext.Current.TestOutputHelper?.WriteLine("podman sigstoreSigned check skipped: no podman"); return; }
        var home = dir.Combine("home");
        Tree.FileAt(Path.Combine(home, ".config", "containers", "registries.d", "site.yaml"), $"docker:\n  {Reg.Host}:\n    use-sigstore-attachments: true\n");
        string Policy(string name, string keyPath) => Tree.FileAt(dir.Combine(name), new JsonObject
        {
            ["default"] = new JsonArray(new JsonObject { ["type"] = "reject" }),
            ["transports"] = new JsonObject
            {
                ["docker"] = new JsonObject { [Reg.Host] = new JsonArray(new JsonObject { ["type"] = "sigstoreSigned", ["keyPath"] = keyPath }) },
            },
        }.ToJsonString());
        using var podman = new Podman(new Dictionary<string, string?> { ["HOME"] = home });
        var reference = $"{Reg.Host}/hpc/cosigned:1";
        var pulled = podman.Run("pull", "--signature-policy", Policy("sigstore-policy.json", publicKey), "--cert-dir", Path.GetDirectoryName(certDir)! + "/" + Reg.Host,
            "--creds", Creds, reference);
        if (pulled.ExitCode != 0 && pulled.StdErr.Contains("sigstore", StringComparison.OrdinalIgnoreCase)
                                 && (pulled.StdErr.Contains("disabled", StringComparison.OrdinalIgnoreCase) || pulled.StdErr.Contains("not supported", StringComparison.OrdinalIgnoreCase)
                                     || pulled.StdErr.Contains("unknown policy requirement type", StringComparison.OrdinalIgnoreCase)))
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"podman sigstoreSigned check skipped: this podman has no sigstore verification ({pulled.StdErr.Trim()})");
            return;
        }
        pulled.EnsureSuccess("podman pull with sigstoreSigned");
        var refused = podman.Run("pull", "--signature-policy", Policy("sigstore-other.json", otherPublic), "--cert-dir", certDir, "--creds", Creds, reference);
        Assert.True(refused.ExitCode != 0, "pulled under another sigstore key");
    }
}
