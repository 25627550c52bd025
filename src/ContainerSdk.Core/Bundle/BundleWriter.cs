using ContainerSdk.Core.Build;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Bundle;

public static class BundleWriter
{
    public static void Write(IReadOnlyList<BuiltLayer> layers, string bundlePath, string aclPath, long epoch, IBuildLog log)
        => throw new NotImplementedException("in progress");
}
