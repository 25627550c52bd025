namespace ContainerSdk.Core.Oci;

/// <summary>An OCI content descriptor: what a blob is, its address and length.</summary>
internal sealed record Descriptor(string MediaType, Digest Digest, long Size)
{
    /// <summary>Ordinal-sorted so that serialization is deterministic; null when there are none.</summary>
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    public Platform? Platform { get; init; }

    /// <summary>An artifact manifest's type (OCI image spec 1.1), as an index or a referrers list names it; null for an image.</summary>
    public string? ArtifactType { get; init; }
}

internal sealed record Platform(string Os, string Architecture, string? Variant = null)
{
    /// <summary>Parses "linux/amd64" or "linux/arm64/v8".</summary>
    public static Platform Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(string.IsNullOrWhiteSpace))
            throw new FormatException($"'{text}' is not a platform: expected os/arch or os/arch/variant, such as linux/amd64.");
        return new Platform(parts[0], parts[1], parts.Length == 3 ? parts[2] : null);
    }

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}
