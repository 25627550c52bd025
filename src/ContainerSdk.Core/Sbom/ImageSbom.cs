using System.Reflection;
using ContainerSdk.Core.Layers;

namespace ContainerSdk.Core.Sbom;

/// <summary>The SBOM of a built image (GenerateContainerSbom): its CycloneDX 1.6 JSON bytes.</summary>
internal static class ImageSbom
{
    public static byte[] Write(SbomImage image, IReadOnlyList<BuiltLayer> layers) =>
        CycloneDxWriter.Write(image, SbomComposer.Components(layers), ToolVersion);

    /// <summary>The SDK's version, without the build metadata (+commit) that would change the bytes between identical SDKs' builds.</summary>
    public static string ToolVersion { get; } =
        (typeof(ImageSbom).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];
}
