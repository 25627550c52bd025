using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace ContainerSdk.Tests.Registry;

/// <summary>One resource and the actions a token grants on it, the JWT's "access" claim entries.</summary>
public sealed record ResourceAccess(string Type, string Name, IReadOnlyList<string> Actions)
{
    /// <summary>"repository:name:pull,push", the form a scope is asked for in.</summary>
    public override string ToString() => $"{Type}:{Name}:{string.Join(',', Actions)}";

    /// <summary>Parses "type:name:actions"; the name may itself hold colons (a registry host with a port).</summary>
    public static ResourceAccess? Parse(string scope)
    {
        var first = scope.IndexOf(':');
        var last = scope.LastIndexOf(':');
        if (first <= 0 || last <= first + 1) return null;
        return new ResourceAccess(scope[..first], scope[(first + 1)..last],
            scope[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries));
    }
}

/// <summary>
/// Signs the JWTs distribution's token auth accepts: ES256, the signing certificate in the header's "x5c" (the
/// registry checks it chains to its rootcertbundle), claims iss/sub/aud/exp/nbf/iat/jti/access.
/// </summary>
internal static class RegistryToken
{
    public static string Sign(X509Certificate2 signer, string issuer, string audience, string? subject,
        IReadOnlyList<ResourceAccess> access, TimeSpan lifetime)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new { typ = "JWT", alg = "ES256", x5c = new[] { Convert.ToBase64String(signer.RawData) } };
        var claims = new
        {
            iss = issuer,
            sub = subject ?? "",
            aud = audience,
            exp = now + (long)lifetime.TotalSeconds,
            nbf = now,
            iat = now,
            jti = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
            access = access.Select(a => new { type = a.Type, name = a.Name, actions = a.Actions }).ToArray(),
        };
        var signingInput = $"{Base64Url(JsonSerializer.SerializeToUtf8Bytes(header))}.{Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims))}";
        using var key = signer.GetECDsaPrivateKey() ?? throw new InvalidOperationException("signing certificate has no EC key");
        // JWS wants the raw r||s signature (IEEE P1363), which is .NET's default format.
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    /// <summary>The claims of a token, unverified, for tests that look at what was granted.</summary>
    public static JsonElement ReadClaims(string token)
    {
        var payload = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        return JsonDocument.Parse(Convert.FromBase64String(payload)).RootElement.Clone();
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
