using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Registry;

/// <summary>
/// An image in a registry, as skopeo, podman and Apptainer write it: <c>docker://host[:port]/repository[:tag][@sha256:…]</c>.
/// A name without a host means Docker Hub (<c>docker://alpine</c> is <c>docker.io/library/alpine</c>), as those tools read it.
/// </summary>
internal sealed record RegistryReference
{
    public const string Scheme = "docker://";

    /// <summary>The address scheme (<see cref="ImageAddress.SchemeOf"/>) of a registry image.</summary>
    private const string SchemeName = "docker";
    public const string DockerHub = "docker.io";

    private RegistryReference(string registry, string repository, string? tag, Digest? digest)
    {
        Registry = registry;
        Repository = repository;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>The registry as the user names it ("host:port"), the key for credentials, certificates and insecure hosts.</summary>
    public string Registry { get; }
    public string Repository { get; }
    public string? Tag { get; }
    /// <summary>When set, the image is pinned: the tag (if any) is only a reminder, as in podman.</summary>
    public Digest? Digest { get; }

    /// <summary>What the manifest is requested by: the digest when pinned, else the tag (default "latest").</summary>
    public string ManifestReference => Digest?.ToString() ?? Tag ?? "latest";

    /// <summary>An address (<see cref="ImageAddress"/>, the one rule) whose scheme is <c>docker</c>.</summary>
    public static bool IsRegistryReference(string text) => ImageAddress.SchemeOf(text) == SchemeName;

    public static RegistryReference Parse(string text)
    {
        string name = IsRegistryReference(text) ? text[Scheme.Length..] : text;
        Digest? digest = null;
        int at = name.IndexOf('@');
        if (at >= 0)
        {
            if (!Oci.Digest.TryParse(name[(at + 1)..], out var d)) throw Invalid(text, "the part after '@' is not a sha256:<64 lower-case hex> digest");
            digest = d;
            name = name[..at];
        }
        string? tag = null;
        int colon = name.LastIndexOf(':');
        if (colon > name.LastIndexOf('/'))
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
            if (!ImageReference.IsTag(tag)) throw Invalid(text, $"tag '{tag}' does not match {ImageReference.TagRule}");
        }
        var parts = name.Split('/', 2);
        bool hasHost = parts.Length == 2 && (parts[0].Contains('.') || parts[0].Contains(':') || parts[0] == "localhost");
        string registry = hasHost ? parts[0] : DockerHub;
        string repository = hasHost ? parts[1] : name;
        if (registry == DockerHub && !repository.Contains('/')) repository = "library/" + repository;
        if (!ImageReference.IsRegistryHost(registry)) throw Invalid(text, $"'{registry}' is not a registry host[:port]");
        if (!ImageReference.IsRepositoryPath(repository))
            throw Invalid(text, $"repository '{repository}' is not '/'-separated components matching {ImageReference.PathComponentRule}");
        return new RegistryReference(registry, repository, tag, digest);
    }

    /// <summary>The same repository at another reference (a digest the tag resolved to).</summary>
    public RegistryReference WithDigest(Digest digest) => new(Registry, Repository, Tag, digest);

    public static RegistryReference For(string registry, string repository, string? tag = null) => Parse($"{registry}/{repository}" + (tag is null ? "" : ":" + tag));

    public override string ToString() => $"{Registry}/{Repository}" + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    private static ContainerSdkException Invalid(string text, string why) =>
        new(Codes.InvalidRegistryReference, $"'{text}' is not a registry image reference ({Scheme}host[:port]/repository[:tag][@sha256:…]): {why}.");
}
