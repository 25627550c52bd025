using System.Net;
using System.Text;

namespace ContainerSdk.Tests.Registry;

/// <summary>
/// A real distribution 2.8 registry (Debian's docker-registry) on 127.0.0.1, with its own port, storage, and
/// optionally TLS, htpasswd users or a bearer-token server. Dispose stops it and deletes every file it made;
/// if the test process dies first, the registry stops by itself (<see cref="ParentBoundProcess"/>).
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private readonly TempDir _root;
    private readonly ParentBoundProcess _process;
    private readonly TestCertificateAuthority? _ca;
    private readonly TokenServer? _tokenServer;

    private RegistryServer(RegistryServerOptions options, TempDir root, ParentBoundProcess process, int port,
        TestCertificateAuthority? ca, TokenServer? tokenServer)
    {
        Options = options;
        _root = root;
        _process = process;
        _ca = ca;
        _tokenServer = tokenServer;
        Host = $"127.0.0.1:{port}";
        BaseUri = new Uri($"{(options.Tls ? "https" : "http")}://{Host}/");
        StorageDirectory = Path.Combine(root.Path, "storage");
        CaCertificatePath = ca is null || !options.Tls ? null : Path.Combine(root.Path, "ca.pem");
    }

    public RegistryServerOptions Options { get; }

    /// <summary>"127.0.0.1:PORT", as an image reference names the registry.</summary>
    public string Host { get; }

    /// <summary>http(s)://127.0.0.1:PORT/ (the API is under v2/).</summary>
    public Uri BaseUri { get; }

    /// <summary>PEM of the CA that issued the registry's certificate; null without TLS.</summary>
    public string? CaCertificatePath { get; }

    /// <summary>The registry's filesystem storage root (docker/registry/v2/... below it once something is pushed).</summary>
    public string StorageDirectory { get; }

    /// <summary>The CA behind TLS and token signing; null when neither is on.</summary>
    public TestCertificateAuthority? CertificateAuthority => _ca;

    /// <summary>The token server, when <see cref="RegistryServerOptions.TokenAuth"/>.</summary>
    public TokenServer? Tokens => _tokenServer;

    /// <summary>
    /// The requests the access log holds so far (with <see cref="RegistryServerOptions.AccessLog"/>), as "METHOD path",
    /// in the order the registry answered them.
    /// </summary>
    public IReadOnlyList<string> Requests() => LoggedRequests().Select(r => $"{r.Method} {r.Path}").ToList();

    /// <summary>The registry's own log so far (errors only), for assertion messages.</summary>
    public string LogTail(int lines = 30) => _process.LogTail(lines);

    /// <summary>
    /// The requests the registry answered so far, as its access log has them ("GET /v2/…/blobs/sha256:… HTTP/1.1 200"), in
    /// order; needs <see cref="RegistryServerOptions.AccessLog"/>.
    /// </summary>
    public IReadOnlyList<string> AccessLog() =>
        LoggedRequests().Where(r => r.Path.StartsWith("/v2/", StringComparison.Ordinal)).Select(r => $"{r.Method} {r.Path} {r.Protocol} {r.Status}").ToList();

    private List<(string Method, string Path, string Protocol, string Status)> LoggedRequests()
    {
        if (!Options.AccessLog) throw new InvalidOperationException("The registry was started without its access log (RegistryServerOptions.AccessLog).");
        var requests = new List<(string, string, string, string)>();
        using var log = new FileStream(_process.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(log);
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            // Combined log format: host - user [time] "METHOD path PROTOCOL" status size "referer" "agent", e.g.
            // 127.0.0.1 - - [07/Dec/2026:10:00:00 +0000] "PUT /v2/hpc/site/blobs/uploads/…?digest=sha256:… HTTP/1.1" 201 0 "" "…"
            var match = System.Text.RegularExpressions.Regex.Match(line, "\"([A-Z]+) (\\S+) (HTTP/[0-9.]+)\" ([0-9]{3}) ");
            if (match.Success) requests.Add((match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value, match.Groups[4].Value));
        }
        return requests;
    }

    // No CancellationToken on purpose: starting is bounded (15 s) and callers stay free of analyzer noise.
    public static async Task<RegistryServer> StartAsync(RegistryServerOptions? options = null)
    {
        options ??= new RegistryServerOptions();
        var registry = Tools.Require("docker-registry");
        if (options.TokenAuth && options.Users is null)
            throw new ArgumentException("TokenAuth needs Users: the token server authenticates them.", nameof(options));
        if (options.RequireClientCertificates && !options.Tls)
            throw new ArgumentException("RequireClientCertificates needs Tls.", nameof(options));
        if (options.ReadOnlyUsers is { Count: > 0 } && !options.TokenAuth)
            throw new ArgumentException("ReadOnlyUsers needs TokenAuth: htpasswd auth cannot tell pull from push.", nameof(options));
        var unknown = (options.ReadOnlyUsers ?? []).Where(u => options.Users?.ContainsKey(u) != true).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"ReadOnlyUsers not in Users: {string.Join(", ", unknown)}", nameof(options));

        var root = new TempDir("registry");
        TestCertificateAuthority? ca = null;
        TokenServer? tokenServer = null;
        try
        {
            var config = new RegistryConfig(root.Path);
            if (options.Tls || options.TokenAuth) ca = new TestCertificateAuthority();
            if (options.Tls)
            {
                TestCertificateAuthority.WritePem(ca!.Certificate, Path.Combine(root.Path, "ca.pem"));
                using var serverCertificate = ca.IssueServerCertificate();
                TestCertificateAuthority.WritePem(serverCertificate, config.CertificatePath, config.KeyPath);
            }
            if (options.TokenAuth)
            {
                tokenServer = await TokenServer.StartAsync(ca!, options);
                TestCertificateAuthority.WritePem(ca!.Certificate, config.TokenRootBundlePath);
            }
            else if (options.Users is not null)
            {
                Htpasswd.Write(config.HtpasswdPath, options.Users);
            }

            // The port is only known free until the registry binds it; another process may win the race, so retry.
            for (var attempt = 1; ; attempt++)
            {
                var port = FreePort.Next();
                File.WriteAllText(config.Path, config.Render(port, options, tokenServer));
                var process = ParentBoundProcess.Start(Path.Combine(root.Path, $"registry-{attempt}.log"), registry,
                    new[] { "serve", config.Path }, ScrubbedEnvironment());
                var server = new RegistryServer(options, root, process, port, ca, tokenServer);
                var failure = await server.WaitUntilServingAsync();
                if (failure is null) return server;
                process.Dispose();
                if (attempt == 3 || !failure.Contains("address already in use", StringComparison.Ordinal))
                    throw new InvalidOperationException($"docker-registry did not start on {server.Host}:\n{failure}");
            }
        }
        catch
        {
            if (tokenServer is not null) await tokenServer.DisposeAsync();
            ca?.Dispose();
            root.Dispose();
            throw;
        }
    }

    // REGISTRY_* variables override the configuration file; one left in the environment must not change the fixture.
    private static Dictionary<string, string?> ScrubbedEnvironment() =>
        Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("REGISTRY_", StringComparison.Ordinal))
            .ToDictionary(k => k, _ => (string?)null);

    /// <summary>Null once /v2/ answers (200 or 401); the log tail when the registry exits or never answers.</summary>
    private async Task<string?> WaitUntilServingAsync()
    {
        using var client = CreateHttpClient();
        client.Timeout = TimeSpan.FromSeconds(2);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) return _process.LogTail();
            try
            {
                using var response = await client.GetAsync(new Uri(BaseUri, "v2/"));
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized) return null;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(25);
        }
        return "no answer from /v2/ within 15 s\n" + _process.LogTail();
    }

    /// <summary>An HttpClient for this registry: trusts its CA when TLS is on (and shows a client certificate from it when
    /// the registry requires one), never follows redirects, no cookies.</summary>
    public HttpClient CreateHttpClient()
    {
        var handler = _ca is not null && Options.Tls ? _ca.CreateTrustingHandler() : new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false };
        if (Options.RequireClientCertificates)
            handler.SslOptions.ClientCertificates = new System.Security.Cryptography.X509Certificates.X509CertificateCollection { _ca!.IssueClientCertificate("CN=fixture") };
        return new HttpClient(handler) { BaseAddress = BaseUri };
    }

    public async ValueTask DisposeAsync()
    {
        _process.Dispose();
        if (_tokenServer is not null) await _tokenServer.DisposeAsync();
        _ca?.Dispose();
        _root.Dispose();
    }

    /// <summary>The registry's config.yml and the files it names, all under the fixture's folder.</summary>
    private sealed class RegistryConfig(string root)
    {
        public string Path { get; } = System.IO.Path.Combine(root, "config.yml");
        public string Storage { get; } = System.IO.Path.Combine(root, "storage");
        public string CertificatePath { get; } = System.IO.Path.Combine(root, "server.pem");
        public string KeyPath { get; } = System.IO.Path.Combine(root, "server.key");
        public string HtpasswdPath { get; } = System.IO.Path.Combine(root, "htpasswd");
        public string TokenRootBundlePath { get; } = System.IO.Path.Combine(root, "token-roots.pem");

        public string Render(int port, RegistryServerOptions options, TokenServer? tokenServer)
        {
            // JSON strings are valid YAML scalars, so every path and URL is quoted with the JSON encoder.
            static string Q(string s) => System.Text.Json.JsonSerializer.Serialize(s);
            var yaml = new StringBuilder();
            yaml.AppendLine("version: 0.1");
            yaml.AppendLine($"log:\n  level: error\n  accesslog:\n    disabled: {(options.AccessLog ? "false" : "true")}");
            yaml.AppendLine($"storage:\n  filesystem:\n    rootdirectory: {Q(Storage)}\n  delete:\n    enabled: true");
            yaml.AppendLine("  maintenance:\n    uploadpurging:\n      enabled: false");
            yaml.AppendLine($"http:\n  addr: {Q($"127.0.0.1:{port}")}\n  secret: {Q(Guid.NewGuid().ToString("N"))}");
            if (options.Tls) yaml.AppendLine($"  tls:\n    certificate: {Q(CertificatePath)}\n    key: {Q(KeyPath)}");
            // The CA file is the one TLS already writes (ca.pem beside config.yml): the same CA issues the client certificates.
            if (options.RequireClientCertificates) yaml.AppendLine($"    clientcas:\n      - {Q(System.IO.Path.Combine(root, "ca.pem"))}");
            if (tokenServer is not null)
                yaml.AppendLine($"auth:\n  token:\n    realm: {Q(tokenServer.Realm.ToString())}\n    service: {Q(tokenServer.Service)}\n" +
                                $"    issuer: {Q(tokenServer.Issuer)}\n    rootcertbundle: {Q(TokenRootBundlePath)}");
            else if (options.Users is not null)
                yaml.AppendLine($"auth:\n  htpasswd:\n    realm: \"ContainerSdk test registry\"\n    path: {Q(HtpasswdPath)}");
            return yaml.ToString();
        }
    }
}
