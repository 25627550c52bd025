namespace ContainerSdk.Core.Registry;

/// <summary>
/// The one rule for where a secret may go. The registry's Basic credentials (or identity token) go to the registry itself
/// (its scheme, host and port) and to the token server its own challenge named, nowhere else; a bearer token goes back
/// only to the registry it was issued for. A redirect target (a storage server with a signed URL) gets neither, and what
/// it asks for is never taken as the registry's challenge: a host the registry sends us to could otherwise name a "token
/// server" of its own and be handed the password.
/// </summary>
internal sealed class CredentialRoutes(Uri registry)
{
    private Uri? _realm;

    public Uri Registry { get; } = registry;

    /// <summary>Same scheme, host and port as the registry.</summary>
    public bool IsRegistry(Uri uri) => SameOrigin(uri, Registry);

    /// <summary>The token server a challenge from the registry itself named: the one place besides the registry that may see its credentials.</summary>
    public void TrustRealm(Uri realm) => _realm = realm;

    /// <summary>Basic credentials (or an identity token): to the registry, or to the realm its own challenge named.</summary>
    public bool MayCarryCredentials(Uri uri) => IsRegistry(uri) || _realm is { } realm && SameOrigin(uri, realm) && uri.AbsolutePath == realm.AbsolutePath;

    /// <summary>A bearer token: back to the registry it was issued for only.</summary>
    public bool MayCarryToken(Uri uri) => IsRegistry(uri);

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;
}
