using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Outputs;
using ContainerSdk.Core.Sbom;

namespace ContainerSdk.Core.Engine;

/// <summary>
/// The image step's provenance: the SBOM of the composed image, and the image with the SBOM and the bundle's ACL dump
/// attached as OCI 1.1 artifacts (subject: the image's manifest), which the layout writer lists untagged in index.json.
/// </summary>
internal static class Provenance
{
    public static (BuiltImage Image, byte[]? Sbom) Attach(BuiltImage image, IReadOnlyList<BuiltLayer> layers, ImageSettings settings, ImageProvenance? provenance)
    {
        if (provenance is null) return (image, null);
        var referrers = new List<ImageReferrer>();
        var created = OciJson.FormatTime(settings.Epoch);
        byte[]? sbom = null;
        if (provenance.SbomPath is { } sbomPath)
        {
            sbom = ImageSbom.Write(new SbomImage(image.Repository, image.Tags, image.ManifestDescriptor.Digest, settings.Platform, settings.Epoch), layers);
            referrers.Add(ImageReferrer.FromBytes(image.ManifestDescriptor, MediaTypes.CycloneDxJson, MediaTypes.CycloneDxJson, Path.GetFileName(sbomPath), sbom, created));
        }
        if (provenance.AclDumpPath is { } aclPath && File.Exists(aclPath))
            referrers.Add(ImageReferrer.FromFile(image.ManifestDescriptor, MediaTypes.AclDump, MediaTypes.AclDump, Path.GetFileName(aclPath), aclPath, created));
        return (referrers.Count == 0 ? image : image.WithReferrers(referrers), sbom);
    }

    /// <summary>Writes the SBOM where ContainerSbomOutputPath says (a temp file renamed into place, so a reader never sees half of it).</summary>
    public static void WriteSbom(string path, byte[] sbom, IBuildLog log)
    {
        try
        {
            if (Directory.Exists(path)) throw new IOException("it is a folder");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            using var temp = new IO.TempFile(path);
            temp.WriteAllBytes(sbom);
            temp.Commit();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ContainerSdkException(Codes.SbomNotWritten,
                $"The SBOM cannot be written to ContainerSbomOutputPath '{path}' ({e.Message}): set it to a file path the build may write, or GenerateContainerSbom to false.", inner: e);
        }
        log.Info($"SBOM (CycloneDX {CycloneDxWriter.SpecVersion}) written to {path}");
    }
}
