// Usage: dotnet run --project bench/freshrunner -c Release -- TREE SCRATCH_DIR REGISTRY_HOST:PORT [RUNS]
// Runner A: a cold build of TREE as one module layer that writes it to the registry cache REGISTRY/cache/freshrunner
// (a docker-registry on 127.0.0.1 the caller started, plain HTTP). Then RUNS times runner B: a build of the same layer
// with the bundle, from an empty work folder and an empty ContainerCacheDirectory, as a fresh CI runner has them.
// Prints each run's wall and CPU time and the engine's lines (details included) with the seconds since the run began.
// FRESH_LINK_MIBPS=N: runner B reaches the registry through a relay that passes its answers at N MiB/s (ThrottledLink),
// as over a network, where the layer's download waits on the link rather than on the CPU.
using System.Diagnostics;
using ContainerSdk.Core.Bundle;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

string tree = Path.GetFullPath(args[0]), scratch = Path.GetFullPath(args[1]), registry = args[2];
int runs = args.Length > 3 ? int.Parse(args[3]) : 3;
var registries = new RegistrySettings { InsecureRegistries = registry, CacheRepository = $"{registry}/cache/freshrunner" };
var module = new LayerInput { ItemSpec = tree, Kind = LayerKind.Module, SourcePath = tree, TargetPath = "/opt/mod" };
// FRESH_BASE: a root filesystem folder as the base layer, as bench/run's projects have one.
var layers = Environment.GetEnvironmentVariable("FRESH_BASE") is { Length: > 0 } baseFolder
    ? new[] { new LayerInput { ItemSpec = baseFolder, Kind = LayerKind.Base, SourcePath = Path.GetFullPath(baseFolder) }, module }
    : new[] { module };

if (Environment.GetEnvironmentVariable("FRESH_MODE") == "download") { await Downloads(); return; }
Run("runner A", Path.Combine(scratch, "a"), bundle: false);
using var link = Environment.GetEnvironmentVariable("FRESH_LINK_MIBPS") is { Length: > 0 } rate
    ? new ThrottledLink(registry, double.Parse(rate, System.Globalization.CultureInfo.InvariantCulture) * 1048576) : null;
if (link is not null) registries = registries with { InsecureRegistries = link.Host, CacheRepository = $"{link.Host}/cache/freshrunner" };
for (int run = 1; run <= runs; run++)
{
    if (Environment.GetEnvironmentVariable("FRESH_DIRTY_MIB") is { } dirty) WriteDirty(int.Parse(dirty));
    Run($"runner B {run}", Path.Combine(scratch, "b"), bundle: true);
}

// The download alone, RUNS times: the layer blob of the first cache entry, into an empty blob store each time.
async Task Downloads()
{
    var options = new RegistryOptions { InsecureRegistries = new HashSet<string> { registry } };
    using var client = new RegistryClient(registry, options, NullBuildLog.Instance);
    using var http = new HttpClient();
    var tags = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"http://{registry}/v2/cache/freshrunner/tags/list"));
    var tag = tags.RootElement.GetProperty("tags")[0].GetString()!;
    var blob = Manifest.Parse((await client.GetManifestAsync("cache/freshrunner", tag)).Json).Layers[0];
    for (int run = 1; run <= runs; run++)
    {
        string folder = Path.Combine(scratch, "download");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await client.DownloadBlobAsync("cache/freshrunner", blob, new BlobStore(folder));
        Console.WriteLine($"download {run}: {clock.Elapsed.TotalSeconds:0.000} s wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds:0.000} s CPU, {blob.Size / 1048576.0:0.0} MiB");
    }
}

// Leaves that many MiB of unwritten data in the page cache first, as the builds before a CI job's may.
void WriteDirty(int mib)
{
    string path = Path.Combine(scratch, "dirty");
    File.Delete(path);
    var block = new byte[1 << 20];
    Random.Shared.NextBytes(block);
    using var file = File.Create(path);
    for (int i = 0; i < mib; i++) file.Write(block);
}

void Run(string name, string folder, bool bundle)
{
    if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    Directory.CreateDirectory(folder);
    var log = new ConsoleLog();
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    var built = ContainerEngine.BuildLayers(layers, Array.Empty<AclFileInput>(),
        new LayerBuildOptions { Epoch = 1700000000, WorkDirectory = Path.Combine(folder, "work") }, log,
        bundle: bundle ? new BundleOutput(Path.Combine(folder, "bundle.tar.gz"), Path.Combine(folder, "bundle.acl")) : null,
        registries: registries with { CacheDirectory = Path.Combine(folder, "cache") });
    double wall = clock.Elapsed.TotalSeconds;
    double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
    Console.WriteLine($"{name}: {wall:0.00} s wall, {cpu:0.00} s CPU, {built[^1].Descriptor.Digest}");
}
