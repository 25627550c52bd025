namespace ContainerSdk.Core.Sbom;

/// <summary>One CycloneDX component as the SBOM writes it: a base image or a module (the image itself is the metadata component).</summary>
internal sealed record SbomComponent
{
    /// <summary>The component's <c>bom-ref</c>, unique in the document: what the dependency graph names.</summary>
    public required string Ref { get; init; }

    /// <summary>CycloneDX type: <c>container</c> (an image), <c>file</c> (a rootfs folder or tarball), <c>application</c> (a module).</summary>
    public required string Type { get; init; }

    public required string Name { get; init; }
    public string? Version { get; init; }
    public string? Description { get; init; }
    public string? Purl { get; init; }
    public LicenseText? License { get; init; }
    public string? Homepage { get; init; }

    /// <summary>SHA-256 hashes, hex: a module's layer blobs, a base tarball's bytes, a base image's manifest.</summary>
    public IReadOnlyList<string> Sha256 { get; init; } = Array.Empty<string>();

    /// <summary>Name/value pairs, in order (a name may repeat: one <c>containersdk:layer</c> per layer).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Properties { get; init; } = Array.Empty<KeyValuePair<string, string>>();

    /// <summary>The refs of the components this one needs (a module's modulefile <c>depends_on</c> the modules that provide them).</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = Array.Empty<string>();
}

/// <summary>The image an SBOM describes (its metadata component): repository, tags, manifest, platform, and the build's one timestamp.</summary>
internal sealed record SbomImage(string Repository, IReadOnlyList<string> Tags, Oci.Digest ManifestDigest, Oci.Platform Platform, long Epoch);
