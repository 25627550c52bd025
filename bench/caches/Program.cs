// Usage: dotnet run --project bench/caches -c Release -- TREE SCRATCH_DIR [xfs]
// TREE is one module (bench/generate_tree.py writes the 1 GiB one). Into SCRATCH_DIR/ext it builds the image (layers,
// bundle, OCI layout) cold, then changes one small text file ten times, building after each, and prints the work folder
// (obj) and the output folder (bin) as du counts them (a blob hard-linked into the layout counts once) against the
// image's size. With "xfs" (root), it makes a 4 GiB XFS file system in a file, mounts it on SCRATCH_DIR/xfs, and times a
// cold build and one small file changed there, against the same on SCRATCH_DIR's own file system.
using System.Diagnostics;
using ContainerSdk.Core.Bundle;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;

string tree = Path.GetFullPath(args[0]), scratch = Path.GetFullPath(args[1]);
bool xfs = args.Length > 2 && args[2] == "xfs";
Directory.CreateDirectory(scratch);
var changed = Directory.EnumerateFiles(tree, "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
var original = File.ReadAllBytes(changed);
var inputs = new[] { LayerInputs.Validate(new LayerInput { ItemSpec = "suite", Kind = LayerKind.Module, SourcePath = tree, TargetPath = "/opt/suite" }) };
try
{
    var ext = Path.Combine(scratch, "ext");
    if (Directory.Exists(ext)) Directory.Delete(ext, recursive: true);
    var (coldExt, image) = Build(ext);
    Console.WriteLine($"cold build on {FileSystem(ext)}: {coldExt:0.00} s, image {Mib(image)} MiB");
    double lastEdit = 0;
    for (int n = 1; n <= 10; n++)
    {
        Edit(n);
        (lastEdit, image) = Build(ext);
        long obj = Du(Path.Combine(ext, "obj")), all = Du(ext);
        Console.WriteLine($"edit {n,2}: {lastEdit:0.00} s; obj {Mib(obj)} MiB = {obj / (double)image:0.00}x the image; obj+bin {Mib(all)} MiB = {all / (double)image:0.00}x");
    }
    Console.WriteLine($"one small file changed on {FileSystem(ext)}: {lastEdit:0.00} s = {lastEdit / coldExt:0.00}x the cold build");

    if (xfs)
    {
        var mount = Path.Combine(scratch, "xfs");
        var fsImage = Path.Combine(scratch, "xfs.img");
        File.Delete(fsImage);
        using (var sparse = File.Create(fsImage)) sparse.SetLength(4L << 30);
        Run("mkfs.xfs", "-q", "-m", "reflink=1", fsImage);
        Directory.CreateDirectory(mount);
        Run("mount", "-o", "loop", fsImage, mount);
        try
        {
            File.WriteAllBytes(changed, original);
            var (cold, _) = Build(mount);
            Edit(1);
            var (one, _) = Build(mount);
            Console.WriteLine($"cold build on XFS (loop, reflink): {cold:0.00} s; one small file changed: {one:0.00} s = {one / cold:0.00}x");
            Console.WriteLine($"XFS used after both builds: {Mib(Used(mount))} MiB for obj+bin of {Mib(Du(mount))} MiB as du counts them (shared extents count once)");
        }
        finally { Run("umount", mount); }
    }
}
finally
{
    File.WriteAllBytes(changed, original);
}

(double Seconds, long Image) Build(string root)
{
    var log = new Quiet();
    var clock = Stopwatch.StartNew();
    var bundle = Path.Combine(root, "bin", "suite.tar.gz");
    var layers = ContainerEngine.BuildLayers(inputs, Array.Empty<AclFileRequest>(), new LayerBuildOptions { Epoch = 1700000000, WorkDirectory = Path.Combine(root, "obj") }, log,
        default, new BundleOutput(bundle, Path.ChangeExtension(bundle, ".acl")));
    ContainerEngine.WriteImage(layers, new ImageSettings { Repository = "suite", Tags = new[] { "1" } }, Path.Combine(root, "bin", "image"), log, Path.Combine(root, "obj"));
    return (clock.Elapsed.TotalSeconds, layers.Sum(l => l.Descriptor.Size));
}

void Edit(int n) => File.WriteAllBytes(changed, original.Concat(System.Text.Encoding.UTF8.GetBytes($"edit {n}\n")).ToArray());

static string Mib(long bytes) => (bytes / 1048576.0).ToString("0");

static long Du(string path) => long.Parse(Run("du", "-sb", path).Split('\t')[0]);

static long Used(string mount)
{
    var line = Run("df", "-B1", "--output=used", mount).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
    return long.Parse(line.Trim());
}

static string FileSystem(string path) => Run("stat", "-f", "-c", "%T", path).Trim();

static string Run(string file, params string[] arguments)
{
    var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in arguments) psi.ArgumentList.Add(a);
    using var p = Process.Start(psi)!;
    var output = p.StandardOutput.ReadToEnd();
    var error = p.StandardError.ReadToEnd();
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', arguments)}: exit {p.ExitCode}: {error}");
    return output;
}

sealed class Quiet : IBuildLog
{
    public void Info(string message) { }
    public void Detail(string message) { }
    public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) => Console.WriteLine($"warning {code}: {message}");
}
