namespace ContainerSdk.Core.Layers;

/// <summary>
/// Where a layer came from when it is a layer of an image used as a base: the image's config (saved in the work
/// folder, the starting config of the new image), its manifest digest and name (the base.* annotations).
/// </summary>
public sealed record ImageOrigin(string ConfigPath, string? ManifestDigest, string? ImageName);
