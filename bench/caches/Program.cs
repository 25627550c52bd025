// Usage: dotnet run --project bench/caches -c Release -- TREE SCRATCH_DIR [xfs] [push] [xfs-gib=N]
// TREE is one module (bench/generate_tree.py writes the 1 GiB one), split at the default ContainerLayerSplitSize. Into
// SCRATCH_DIR/ext it builds the image (layers, bundle, OCI layout) cold, then changes one small text file ten times,
// building after each, and prints the work folder (obj) and the output folder (bin) as du counts them (a blob hard-linked
// into the layout counts once) against the image's size, and the layers each edit changed. With "push", a docker-registry
// of its own on 127.0.0.1 (storage under SCRATCH_DIR) gets the cold image, then the image after the first edit: the
// bytes of the blobs that second push sent against the layers the edit changed. With "xfs" (root), it makes an XFS file
// system of N GiB (default 4) in a file, mounts it on SCRATCH_DIR/xfs, and times a cold build and one small file changed
// there, against the same on SCRATCH_DIR's own file system.
using System.Diagnostics;
using ContainerSdk.Core.Bundle;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;

string tree = Path.GetFullPath(args[0]), scratch = Path.GetFullPath(args[1]);
bool xfs = args.Skip(2).Contains("xfs"), push = args.Skip(2).Contains("push");
long xfsGib = args.Skip(2).Where(a => a.StartsWith("xfs-gib=")).Select(a => long.Parse(a["xfs-gib=".Length..])).DefaultIfEmpty(4).First();
Directory.CreateDirectory(scratch);
// The middle text file in path order: with a split module, a part of small files like most (the first one's part is the
// smallest of the 2 GiB module's, 1 MiB).
var texts = Directory.EnumerateFiles(tree, "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
var changed = texts[texts.Count / 2];
var original = File.ReadAllBytes(changed);
var inputs = new[] { LayerInputs.Validate(new LayerInput { ItemSpec = "suite", Kind = LayerKind.Module, SourcePath = tree, TargetPath = "/opt/suite" }) };
try
{
    var ext = Path.Combine(scratch, "ext");
    if (Directory.Exists(ext)) Directory.Delete(ext, recursive: true);
    var (coldExt, image, layers) = Build(ext);
    Console.WriteLine($"cold build on {FileSystem(ext)}: {coldExt:0.00} s, image {Mib(image)} MiB in {layers.Count} layers");
    using var registry = push ? Registry.Start(scratch) : null;
    if (registry is not null) Console.WriteLine($"cold push: {registry.Push(Path.Combine(ext, "bin", "image"))}");
    double lastEdit = 0;
    for (int n = 1; n <= 10; n++)
    {
        Edit(n);
        var before = layers;
        (lastEdit, image, layers) = Build(ext);
        long obj = Du(Path.Combine(ext, "obj")), all = Du(ext);
        var changedLayers = layers.Where(l => !before.Any(b => b.Descriptor.Digest == l.Descriptor.Digest)).ToList();
        long changedBytes = changedLayers.Sum(l => l.Descriptor.Size);
        Console.WriteLine($"edit {n,2}: {lastEdit:0.00} s; obj {Mib(obj)} MiB = {obj / (double)image:0.00}x the image; obj+bin {Mib(all)} MiB = {all / (double)image:0.00}x; " +
                          $"{changedLayers.Count} layer(s) changed, {changedBytes} bytes");
        if (n == 1 && registry is not null)
        {
            long sent = registry.Push(Path.Combine(ext, "bin", "image"));
            Console.WriteLine($"push after one edit: {sent} bytes of blobs sent (the config included) = {sent / (double)changedBytes:0.000}x the changed layer(s)");
        }
    }
    Console.WriteLine($"one small file changed on {FileSystem(ext)}: {lastEdit:0.00} s = {lastEdit / coldExt:0.00}x the cold build");

    if (xfs)
    {
        var mount = Path.Combine(scratch, "xfs");
        var fsImage = Path.Combine(scratch, "xfs.img");
        File.Delete(fsImage);
        using (var sparse = File.Create(fsImage)) sparse.SetLength(xfsGib << 30);
        Run("mkfs.xfs", "-q", "-m", "reflink=1", fsImage);
        Directory.CreateDirectory(mount);
        Run("mount", "-o", "loop", fsImage, mount);
        try
        {
            File.WriteAllBytes(changed, original);
            double cpu0 = Cpu();
            var (cold, _, _) = Build(mount);
            double cpu1 = Cpu();
            Edit(1);
            var (one, _, _) = Build(mount);
            double cpu2 = Cpu();
            Console.WriteLine($"cold build on XFS (loop, reflink): {cold:0.00} s; one small file changed: {one:0.00} s = {one / cold:0.00}x");
            Console.WriteLine($"CPU (user + sys) on XFS: cold {cpu1 - cpu0:0.00} s; one small file changed {cpu2 - cpu1:0.00} s = {(cpu2 - cpu1) / (cpu1 - cpu0):0.00}x");
            Console.WriteLine($"XFS used after both builds: {Mib(Used(mount))} MiB for obj+bin of {Mib(Du(mount))} MiB as du counts them (shared extents count once)");
        }
        finally { Run("umount", mount); }
    }
}
finally
{
    File.WriteAllBytes(changed, original);
}

(double Seconds, long Image, IReadOnlyList<BuiltLayer> Layers) Build(string root)
{
    var log = new Quiet();
    var clock = Stopwatch.StartNew();
    var bundle = Path.Combine(root, "bin", "suite.tar.gz");
    var layers = ContainerEngine.BuildLayers(inputs, Array.Empty<AclFileRequest>(), new LayerBuildOptions { Epoch = 1700000000, WorkDirectory = Path.Combine(root, "obj") }, log,
        default, new BundleOutput(bundle, Path.ChangeExtension(bundle, ".acl")));
    ContainerEngine.WriteImage(layers, new ImageSettings { Repository = "suite", Tags = new[] { "1" } }, Path.Combine(root, "bin", "image"), log, Path.Combine(root, "obj"));
    return (clock.Elapsed.TotalSeconds, layers.Sum(l => l.Descriptor.Size), layers.ToList());
}

void Edit(int n) => File.WriteAllBytes(changed, original.Concat(System.Text.Encoding.UTF8.GetBytes($"edit {n}\n")).ToArray());

static double Cpu()
{
    var p = Process.GetCurrentProcess();
    return p.UserProcessorTime.TotalSeconds + p.PrivilegedProcessorTime.TotalSeconds;
}

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

/// <summary>A docker-registry of the bench's own on 127.0.0.1 (plain HTTP, storage under the scratch folder), stopped on dispose.</summary>
sealed class Registry : IDisposable
{
    private readonly Process _process;
    private readonly string _storage;
    private readonly string _host;

    private Registry(Process process, string storage, string host) => (_process, _storage, _host) = (process, storage, host);

    public static Registry Start(string scratch)
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        string storage = Path.Combine(scratch, "registry"), config = Path.Combine(scratch, "registry.yml");
        if (Directory.Exists(storage)) Directory.Delete(storage, recursive: true);
        File.WriteAllText(config, $"version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: \"{storage}\"\n" +
                                  $"http:\n  addr: \"127.0.0.1:{port}\"\n  secret: \"bench-{port}\"\n");
        var psi = new ProcessStartInfo("docker-registry") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(config);
        foreach (var name in psi.Environment.Keys.Where(k => k.StartsWith("REGISTRY_")).ToList()) psi.Environment.Remove(name);
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient();
        for (int i = 0; i < 150; i++)
        {
            try { if (http.GetAsync($"http://127.0.0.1:{port}/v2/").Result.IsSuccessStatusCode) return new Registry(process, storage, $"127.0.0.1:{port}"); }
            catch (AggregateException) { }
            Thread.Sleep(100);
        }
        process.Kill();
        throw new InvalidOperationException("docker-registry did not start");
    }

    /// <summary>Pushes the layout's image; the bytes of the blobs sent (those the registry did not have), by the layout's files.</summary>
    public long Push(string layout)
    {
        var log = new Collecting();
        ContainerEngine.PublishImage(layout, new PublishSettings { Registry = _host, Repository = "suite", Tags = new[] { "1" } },
            new RegistrySettings { InsecureRegistries = _host }, log);
        long sent = 0;
        foreach (var line in log.Lines.Where(l => l.Contains(") sent in ")))
        {
            var hex = System.Text.RegularExpressions.Regex.Match(line, "blob sha256:([0-9a-f]{64})").Groups[1].Value;
            sent += new FileInfo(Path.Combine(layout, "blobs", "sha256", hex)).Length;
        }
        Console.WriteLine("  " + log.Lines.Last(l => l.StartsWith("Pushed ")));
        return sent;
    }

    public void Dispose()
    {
        try { _process.Kill(); _process.WaitForExit(); } catch (InvalidOperationException) { }
        if (Directory.Exists(_storage)) Directory.Delete(_storage, recursive: true);
    }

    private sealed class Collecting : IBuildLog
    {
        public List<string> Lines { get; } = new();
        public void Info(string message) { lock (Lines) Lines.Add(message); }
        public void Detail(string message) { }
        public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) => Console.WriteLine($"warning {code}: {message}");
    }
}
