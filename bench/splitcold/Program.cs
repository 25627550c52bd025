// Usage: dotnet run --project bench/splitcold -c Release -- TREE SCRATCH_DIR SPLIT_SIZE [lines] [noop]
// One cold build of TREE as one module (layers, bundle, OCI layout) into SCRATCH_DIR (emptied first), through the engine
// alone, at ContainerLayerSplitSize SPLIT_SIZE (bytes; 0: one layer). Prints the wall and CPU time (user + sys) of the
// layers step (bundle included) and of the image step, and the process's peak RSS, so that split and unsplit builds can
// be run alternately in fresh processes on a busy machine and compared by CPU. "lines" also prints the engine's lines;
// "noop" builds three times more with nothing changed and prints each one's wall and CPU time.
using System.Diagnostics;
using ContainerSdk.Core.Bundle;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;

string tree = Path.GetFullPath(args[0]), scratch = Path.GetFullPath(args[1]);
long split = long.Parse(args[2]);
bool lines = args.Skip(3).Contains("lines");
if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
Directory.CreateDirectory(scratch);
var inputs = new[] { LayerInputs.Validate(new LayerInput { ItemSpec = "suite", Kind = LayerKind.Module, SourcePath = tree, TargetPath = "/opt/suite" }) };
var log = new Lines(lines);
var me = Process.GetCurrentProcess();
var (wall, cpu) = (Stopwatch.StartNew(), Cpu());
var bundle = Path.Combine(scratch, "bin", "suite.tar.gz");
var layers = ContainerEngine.BuildLayers(inputs, Array.Empty<AclFileRequest>(),
    new LayerBuildOptions { Epoch = 1700000000, WorkDirectory = Path.Combine(scratch, "obj"), SplitSize = split }, log,
    default, new BundleOutput(bundle, Path.ChangeExtension(bundle, ".acl")));
var (layersWall, layersCpu) = (wall.Elapsed.TotalSeconds, Cpu() - cpu);
ContainerEngine.WriteImage(layers, new ImageSettings { Repository = "suite", Tags = new[] { "1" } }, Path.Combine(scratch, "bin", "image"), log, Path.Combine(scratch, "obj"));
var (allWall, allCpu) = (wall.Elapsed.TotalSeconds, Cpu() - cpu);
if (args.Contains("noop"))
{
    // The same build again, nothing changed: what a split costs a no-op build (every part's fingerprint, journal and blob checked).
    for (int n = 0; n < 3; n++)
    {
        var (again, againCpu) = (Stopwatch.StartNew(), Cpu());
        var same = ContainerEngine.BuildLayers(inputs, Array.Empty<AclFileRequest>(),
            new LayerBuildOptions { Epoch = 1700000000, WorkDirectory = Path.Combine(scratch, "obj"), SplitSize = split }, log,
            default, new BundleOutput(bundle, Path.ChangeExtension(bundle, ".acl")));
        ContainerEngine.WriteImage(same, new ImageSettings { Repository = "suite", Tags = new[] { "1" } }, Path.Combine(scratch, "bin", "image"), log, Path.Combine(scratch, "obj"));
        Console.WriteLine($"no-op {n + 1}: {again.Elapsed.TotalSeconds:0.000} s wall {Cpu() - againCpu:0.000} s cpu");
    }
}
string hwm = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM")).Split(':')[1].Trim();
Console.WriteLine($"split {split}: {layers.Count} layers; layers+bundle {layersWall:0.00} s wall {layersCpu:0.00} s cpu; image {allWall - layersWall:0.00} s wall {allCpu - layersCpu:0.00} s cpu; total {allWall:0.00} s wall {allCpu:0.00} s cpu; peak RSS {hwm}; GCs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");

static double Cpu()
{
    var p = Process.GetCurrentProcess();
    return p.UserProcessorTime.TotalSeconds + p.PrivilegedProcessorTime.TotalSeconds;
}

sealed class Lines(bool show) : IBuildLog
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    public void Info(string message) { if (show) Console.WriteLine($"{_clock.Elapsed.TotalSeconds,7:0.00} {message}"); }
    public void Detail(string message) { if (show) Console.WriteLine($"{_clock.Elapsed.TotalSeconds,7:0.00}   {message}"); }
    public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) => Console.WriteLine($"warning {code}: {message}");
}
