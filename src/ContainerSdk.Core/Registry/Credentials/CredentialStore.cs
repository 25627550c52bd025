namespace ContainerSdk.Core.Registry.Credentials;

/// <summary>
/// Finds the credentials for a registry where podman, skopeo and docker users keep them, in the order they read them:
/// each auth file in turn (its credHelpers, then its credsStore, then its auths), then the environment variables.
/// Stored credentials name a registry, the variables any: a stored entry for this registry is the more specific.
/// </summary>
internal sealed class CredentialStore
{
    private static readonly (string User, string Password)[] Variables =
    {
        ("CONTAINERSDK_REGISTRY_USER", "CONTAINERSDK_REGISTRY_PASSWORD"),
        ("DOTNET_CONTAINER_REGISTRY_UNAME", "DOTNET_CONTAINER_REGISTRY_PWORD"),
    };

    private readonly CredentialEnvironment _environment;

    public CredentialStore(CredentialEnvironment environment) => _environment = environment;

    public static CredentialStore Default { get; } = new(CredentialEnvironment.Process);

    /// <summary>The credential for the registry and repository, or null to go anonymous.</summary>
    public RegistryCredential? Find(string registry, string repository)
    {
        foreach (var path in _environment.AuthFiles())
        {
            if (AuthFile.TryLoad(path) is not { } file) continue;
            if (file.HelperFor(registry) is { } helper)
                return CredentialHelper.Get(helper, registry, _environment);
            if (file.CredentialsStore is { } store && CredentialHelper.Get(store, ServerUrl(registry), _environment) is { } stored)
                return stored;
            if (file.Find(registry, repository) is { } found) return found;
        }
        foreach (var (userVariable, passwordVariable) in Variables)
            if (_environment[userVariable] is { } user && _environment[passwordVariable] is { } password)
                return new RegistryCredential(user, password, $"the environment variables {userVariable}/{passwordVariable}");
        return null;
    }

    /// <summary>The server name docker hands a credential store: Docker Hub keeps its historical URL.</summary>
    private static string ServerUrl(string registry) => registry == RegistryReference.DockerHub ? "https://index.docker.io/v1/" : registry;
}
