using System.Text.RegularExpressions;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Oci;

/// <summary>Checks image names and tags against the grammar of github.com/distribution/reference (what every registry and tool enforces).</summary>
internal static partial class ImageReference
{
    public const string TagRule = "[A-Za-z0-9_][A-Za-z0-9._-]{0,127}";
    public const string PathComponentRule = "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*";

    [GeneratedRegex("^" + TagRule + "$")]
    private static partial Regex TagPattern();

    [GeneratedRegex("^" + PathComponentRule + "$")]
    private static partial Regex PathComponentPattern();

    // A registry host: DNS labels (any case), or an IPv6 literal in brackets, optionally with a port.
    [GeneratedRegex(@"^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(\.([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(:[0-9]+)?$")]
    private static partial Regex DomainPattern();

    public static bool IsTag(string tag) => TagPattern().IsMatch(tag);

    public static bool IsRegistryHost(string host) => DomainPattern().IsMatch(host);

    /// <summary>A repository path without a registry host: '/'-separated path components, at most 255 characters.</summary>
    public static bool IsRepositoryPath(string path) => path.Length is > 0 and <= 255 && path.Split('/').All(c => PathComponentPattern().IsMatch(c));

    public static void ValidateTag(string tag)
    {
        if (!IsTag(tag))
            throw new ContainerSdkException(Codes.InvalidTag,
                $"Image tag '{tag}' is invalid: a tag is 1 to 128 characters matching {TagRule} (letters, digits, '_', '.', '-'; not starting with '.' or '-').");
    }

    public static void ValidateRepository(string repository)
    {
        var components = repository.Split('/');
        // As docker does: the first of several components is a registry host when it has '.' or ':' or is localhost.
        int first = components.Length > 1 && (components[0].Contains('.') || components[0].Contains(':') || components[0] == "localhost") ? 1 : 0;
        bool valid = repository.Length is > 0 and <= 255
            && (first == 0 || DomainPattern().IsMatch(components[0]))
            && components.Skip(first).All(c => PathComponentPattern().IsMatch(c));
        if (!valid)
            throw new ContainerSdkException(Codes.InvalidRepository,
                $"Image repository '{repository}' is invalid: it is '/'-separated components, each matching {PathComponentRule} " +
                "(lower-case letters and digits, separated by '.', '_', '__' or dashes), optionally after a registry host such as " +
                "'registry.example.org:5000/', at most 255 characters.");
    }
}
