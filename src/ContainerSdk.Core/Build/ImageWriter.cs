using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Build;

public static class ImageWriter
{
    public static ImageResult Write(IReadOnlyList<BuiltLayer> layers, ImageSettings settings, string layoutPath, IBuildLog log)
        => throw new NotImplementedException("in progress");
}
