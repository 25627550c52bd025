using System.Net.Http.Headers;

namespace ContainerSdk.Core.Registry;

/// <summary>A registry's <c>WWW-Authenticate</c>: Basic, or Bearer with the token server's realm, service and scope.</summary>
internal sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);
    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public string? this[string name] => Parameters.TryGetValue(name, out var v) ? v : null;

    /// <summary>The first Bearer challenge, else the first Basic one; null when the response has neither.</summary>
    public static AuthChallenge? From(HttpResponseHeaders headers)
    {
        var challenges = headers.WwwAuthenticate.Select(h => new AuthChallenge(h.Scheme, ParseParameters(h.Parameter ?? ""))).ToList();
        return challenges.FirstOrDefault(c => c.IsBearer) ?? challenges.FirstOrDefault(c => c.IsBasic);
    }

    /// <summary>RFC 7235 auth-params: name=token or name="quoted \"string\"", comma-separated.</summary>
    internal static IReadOnlyDictionary<string, string> ParseParameters(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i]))) i++;
            int nameStart = i;
            while (i < text.Length && text[i] != '=' && text[i] != ',') i++;
            string name = text[nameStart..i].Trim();
            if (i >= text.Length || text[i] != '=') continue;
            i++;
            var value = new System.Text.StringBuilder();
            if (i < text.Length && text[i] == '"')
            {
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\' && i + 1 < text.Length) i++;
                    value.Append(text[i]);
                }
                i++;
            }
            else
                for (; i < text.Length && text[i] != ','; i++) value.Append(text[i]);
            if (name.Length > 0) result[name] = value.ToString().Trim();
        }
        return result;
    }
}
