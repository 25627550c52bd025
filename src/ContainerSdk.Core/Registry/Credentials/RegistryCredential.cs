namespace ContainerSdk.Core.Registry.Credentials;

/// <summary>
/// A user name and its secret, and where they were found (a file path or a variable name, never a secret), so that a
/// refused login can say which stored credentials were tried. <see cref="ToString"/> hides the secret: a credential
/// that ends up in a message or a log by mistake shows nothing that matters.
/// </summary>
internal sealed class RegistryCredential
{
    public RegistryCredential(string userName, string secret, string source)
    {
        UserName = userName;
        Secret = secret;
        Source = source;
    }

    /// <summary>Harbor robot accounts are named "robot$project+name": taken as written, escaped wherever it goes into a URL.</summary>
    public string UserName { get; }
    public string Secret { get; }
    public string Source { get; }

    /// <summary>
    /// The secret is an OAuth2 refresh token (docker's "identity token": config.json's <c>identitytoken</c>, or a credential
    /// helper's user name <c>&lt;token&gt;</c>), traded at the token server for access tokens, never sent as a password.
    /// </summary>
    public bool IsIdentityToken { get; init; }

    /// <summary>docker's user name for an identity token in the credential helper protocol.</summary>
    public const string IdentityTokenUserName = "<token>";

    public string BasicHeaderValue() => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{UserName}:{Secret}"));

    public override string ToString() => IsIdentityToken ? $"the identity token from {Source}" : $"user '{UserName}' from {Source}";
}
