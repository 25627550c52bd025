namespace ContainerSdk.Tests.Registry;

/// <summary>How <see cref="RegistryServer"/> sets up the registry: transport and who may do what.</summary>
public sealed class RegistryServerOptions
{
    /// <summary>Serve HTTPS with a certificate from a CA the fixture makes (<see cref="RegistryServer.CaCertificatePath"/>).</summary>
    public bool Tls { get; init; }

    /// <summary>With <see cref="Tls"/>: the registry asks every client for a certificate from the fixture's CA and refuses
    /// a connection without one (distribution's <c>http.tls.clientcas</c>).</summary>
    public bool RequireClientCertificates { get; init; }

    /// <summary>User name to password. With <see cref="TokenAuth"/> false: htpasswd (bcrypt) basic auth. Null: anonymous.</summary>
    public IReadOnlyDictionary<string, string>? Users { get; init; }

    /// <summary>Bearer-token auth: the registry trusts JWTs from a token server in this process, which knows <see cref="Users"/>.</summary>
    public bool TokenAuth { get; init; }

    /// <summary>Users (also in <see cref="Users"/>) that may only pull. Only token auth can tell pull from push.</summary>
    public IReadOnlyCollection<string>? ReadOnlyUsers { get; init; }

    /// <summary>With <see cref="TokenAuth"/>: OAuth2 refresh tokens (docker's identity tokens) the token server takes by
    /// <c>grant_type=refresh_token</c>, each standing for a user of <see cref="Users"/>.</summary>
    public IReadOnlyDictionary<string, string>? RefreshTokens { get; init; }

    /// <summary>Keep the registry's access log (one line per request, in its log file): read it with <see cref="RegistryServer.AccessLog"/>.</summary>
    public bool AccessLog { get; init; }

    /// <summary>How long an issued token is valid. The registry adds 60 s of leeway to the expiry.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromMinutes(5);
}
