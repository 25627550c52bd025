namespace ContainerSdk.Tests.Registry;

/// <summary>Bearer-token server for the registry (next commit).</summary>
public sealed class TokenServer : IAsyncDisposable
{
    public Uri Realm { get; } = new("http://127.0.0.1/");
    public string Service => "containersdk-test-registry";
    public string Issuer => "containersdk-test-token-server";

    internal static Task<TokenServer> StartAsync(TestCertificateAuthority ca, RegistryServerOptions options) =>
        throw new NotSupportedException("TokenAuth is not implemented yet.");

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
