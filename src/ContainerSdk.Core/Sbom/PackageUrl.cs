using System.Text;

namespace ContainerSdk.Core.Sbom;

/// <summary>
/// Package URLs (github.com/package-url/purl-spec) of OCI images: <c>pkg:oci/&lt;name&gt;@sha256%3A&lt;hex&gt;?qualifiers</c>,
/// the name the repository's last component lower-cased, the version the manifest digest, qualifiers <c>arch</c>,
/// <c>repository_url</c> (where the repository has more than its name) and <c>tag</c>, sorted by key as the spec wants.
/// </summary>
internal static class PackageUrl
{
    public static string Oci(string repository, Oci.Digest digest, string? tag, string? architecture, string? registry = null)
    {
        var name = repository[(repository.LastIndexOf('/') + 1)..].ToLowerInvariant();
        var qualifiers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(architecture)) qualifiers["arch"] = architecture;
        var url = registry is null ? repository : $"{registry}/{repository}";
        if (url != name) qualifiers["repository_url"] = url;
        if (!string.IsNullOrEmpty(tag)) qualifiers["tag"] = tag;
        var text = new StringBuilder("pkg:oci/").Append(Encode(name, keepSlash: false)).Append('@').Append(Encode(digest.ToString(), keepSlash: false));
        char separator = '?';
        foreach (var (key, value) in qualifiers)
        {
            text.Append(separator).Append(key).Append('=').Append(Encode(value, keepSlash: true));
            separator = '&';
        }
        return text.ToString();
    }

    /// <summary>Percent-encodes all but unreserved characters (and '/' in a qualifier's value, as the spec's examples keep it).</summary>
    private static string Encode(string value, bool keepSlash)
    {
        var text = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' || (keepSlash && c == '/')) text.Append(c);
            else text.Append('%').Append(b.ToString("X2"));
        }
        return text.ToString();
    }
}
