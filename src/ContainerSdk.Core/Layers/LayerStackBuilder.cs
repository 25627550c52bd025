using ContainerSdk.Core.Build;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Layers;

public static class LayerStackBuilder
{
    public static IReadOnlyList<BuiltLayer> Build(IReadOnlyList<LayerInput> layers, IReadOnlyList<AclFileInput> aclFiles,
        LayerBuildOptions options, IBuildLog log, CancellationToken cancellationToken)
        => throw new NotImplementedException("in progress");
}
