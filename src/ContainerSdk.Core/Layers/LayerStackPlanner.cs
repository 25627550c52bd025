using System.Diagnostics;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Inputs;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// The plan step: every layer planned (headers only) before any is written, because what a layer holds depends on
/// the layers around it: owner names resolve against the composed /etc/passwd, parent directories of a TargetPath
/// copy the owner and mode the layers below give them, ACL entries land on the topmost layer that has their path.
/// </summary>
internal static class LayerStackPlanner
{
    public static IReadOnlyList<LayerPlan> Plan(IReadOnlyList<LayerRequest> layers, IReadOnlyList<AclFileRequest> aclFiles, BuildContext context)
    {
        if (layers.Count == 0) throw LayerInputs.NoLayers();
        var planning = Stopwatch.StartNew();
        var plans = new List<LayerPlan>();
        foreach (var input in layers)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            try
            {
                plans.AddRange(LayerPlanner.Plan(input, plans, context));
            }
            catch (ContainerSdkException e) when (e.File is null)
            {
                throw e.About(input.ItemType, input.ItemSpec);
            }
            catch (ContainerSdkException e) when (e.Line == 0 && (e.File == input.ItemSpec || e.File == input.SourcePath))
            {
                // The item's own file, damaged (a cut tarball, bad gzip): no line of it helps, the item's line does, where
                // the user named it; the message names the file.
                throw new ContainerSdkException(e.Code, e.Message, inner: e).About(input.ItemType, input.ItemSpec);
            }
        }
        // Parts before ACLs: an ACL lands on the topmost layer holding its path, and a folder that several parts hold
        // is one shared entry, so its ACL is on each copy.
        var stack = LayerSplit.Apply(plans, context.Options.SplitSize, context.Log.Detail);
        AclPlacement.Apply(aclFiles, stack);
        context.Log.Detail($"Planned {stack.Count} layers ({stack.Sum(p => p.Entries.Count)} entries) in {planning.Elapsed.TotalSeconds:0.00} s.");
        return stack;
    }
}
