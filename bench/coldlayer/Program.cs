// Usage: dotnet run --project bench/coldlayer -c Release -- TREE SCRATCH_DIR [RUNS]
// Builds TREE as one module layer (no base, no bundle, no image) into a fresh work folder under SCRATCH_DIR, RUNS
// times in one process (the first run pays the JIT), and prints each run's wall and CPU time and the layer's size.
using System.Diagnostics;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;

string tree = Path.GetFullPath(args[0]), scratch = Path.GetFullPath(args[1]);
int runs = args.Length > 2 ? int.Parse(args[2]) : 1;
var log = new ConsoleLog();
for (int run = 1; run <= runs; run++)
{
    string work = Path.Combine(scratch, "work");
    if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    var layers = ContainerEngine.BuildLayers(
        new[] { LayerInputs.Validate(new LayerInput { ItemSpec = tree, Kind = LayerKind.Module, SourcePath = tree, TargetPath = "/opt/mod" }) },
        Array.Empty<AclFileRequest>(), new LayerBuildOptions { Epoch = 1700000000, WorkDirectory = work }, log);
    double wall = clock.Elapsed.TotalSeconds;
    double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
    var layer = layers[^1];
    Console.WriteLine($"run {run}: {wall:0.00} s wall, {cpu:0.00} s CPU, {layer.Descriptor.Size / 1048576.0:0.0} MiB ({layer.Descriptor.Size} bytes), {layer.Descriptor.Digest}, GCs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
}
