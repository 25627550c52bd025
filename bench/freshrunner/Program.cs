// Usage: dotnet run --project bench/freshrunner -c Release -- TREE SCRATCH_DIR REGISTRY_HOST:PORT [RUNS]
// Runner A: a cold build of TREE as one module layer that writes it to the registry cache REGISTRY/cache/freshrunner
// (a docker-registry on 127.0.0.1 the caller started, plain HTTP). Then RUNS times runner B: a build of the same layer
// with the bundle, from an empty work folder and an empty ContainerCacheDirectory, as a fresh CI runner has them.
// Prints each run's wall and CPU time and the engine's lines (details included) with the seconds since the run began.
// FRESH_MODE=download: the cache entry's blob downloaded alone; FRESH_MODE=floor: see Floor below.
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
if (Environment.GetEnvironmentVariable("FRESH_MODE") == "floor") { await Floor(); return; }
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

// FRESH_MODE=floor: the least work a fresh runner's build of TREE does, RUNS times, each step done the fastest way this
// machine knows: the tree listed; every file's content hashed on every core (the fingerprint needs it) while the
// largest blob of the cache repository (FRESH_REPOSITORY, cache/freshrunner by default) downloads and is digest-checked
// into a file (the image needs it); that blob copied once (the bundle holds its bytes again). No engine code runs (the
// manifests are read with its client, before the clock starts), no header is read, no tar is parsed: a build cannot
// take less, whatever its design, as long as it hashes what it takes from a cache and checks what it downloads.
async Task Floor()
{
    string repository = Environment.GetEnvironmentVariable("FRESH_REPOSITORY") is { Length: > 0 } named ? named : "cache/freshrunner";
    var options = new RegistryOptions { InsecureRegistries = new HashSet<string> { registry } };
    using var client = new RegistryClient(registry, options, NullBuildLog.Instance);
    using var http = new HttpClient();
    var tags = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"http://{registry}/v2/{repository}/tags/list"));
    Descriptor? blob = null;
    foreach (var tag in tags.RootElement.GetProperty("tags").EnumerateArray())
        foreach (var layer in Manifest.Parse((await client.GetManifestAsync(repository, tag.GetString()!)).Json).Layers)
            if (blob is null || layer.Size > blob.Size) blob = layer;
    for (int run = 1; run <= runs; run++)
    {
        string folder = Path.Combine(scratch, "floor");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        var clock = Stopwatch.StartNew();
        var files = new List<string>();
        long entries = 0;
        foreach (var info in new DirectoryInfo(tree).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            entries++;
            if ((info.Attributes & (FileAttributes.Directory | FileAttributes.ReparsePoint)) == 0) files.Add(info.FullName);
        }
        double walk = clock.Elapsed.TotalSeconds;
        // The leanest download there is: one GET, its body hashed and written as it comes (the engine's client adds the
        // retries, limits and temporary-file rename that a build needs; the floor does without them).
        string path = Path.Combine(folder, "blob");
        var download = Task.Run(async () =>
        {
            using var response = await http.GetAsync($"http://{registry}/v2/{repository}/blobs/{blob!.Digest}", HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync();
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 20];
            for (int n; (n = await body.ReadAsync(buffer)) > 0;)
            {
                hash.AppendData(buffer, 0, n);
                await file.WriteAsync(buffer.AsMemory(0, n));
            }
            if (Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant() != blob.Digest.Hex) throw new InvalidDataException($"{blob.Digest}: other bytes came");
        });
        int next = -1;
        var hashers = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => new Thread(() =>
        {
            var buffer = new byte[1 << 16];
            for (int i; (i = Interlocked.Increment(ref next)) < files.Count;)
            {
                using var file = File.OpenHandle(files[i]);
                using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
                long offset = 0;
                for (int n; (n = RandomAccess.Read(file, buffer, offset)) > 0; offset += n) hash.AppendData(buffer, 0, n);
                hash.GetHashAndReset();
            }
        })).ToList();
        hashers.ForEach(t => t.Start());
        hashers.ForEach(t => t.Join());
        double hashed = clock.Elapsed.TotalSeconds;
        await download;
        double downloaded = clock.Elapsed.TotalSeconds;
        File.Copy(path, Path.Combine(folder, "bundle"));
        double copied = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"floor {run}: {copied:0.00} s: {entries} entries listed in {walk:0.00} s; {files.Count} files hashed by {hashed:0.00} s, " +
                          $"{blob!.Size / 1048576.0:0.0} MiB downloaded and checked by {downloaded:0.00} s; copied by {copied:0.00} s");
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
    var built = ContainerEngine.BuildLayers(layers.Select(l => LayerInputs.Validate(l)).ToList(), Array.Empty<AclFileRequest>(),
        new LayerBuildOptions { Epoch = 1700000000, WorkDirectory = Path.Combine(folder, "work") }, log,
        bundle: bundle ? new BundleOutput(Path.Combine(folder, "bundle.tar.gz"), Path.Combine(folder, "bundle.acl")) : null,
        registries: registries with { CacheDirectory = Path.Combine(folder, "cache") });
    double wall = clock.Elapsed.TotalSeconds;
    double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
    Console.WriteLine($"{name}: {wall:0.00} s wall, {cpu:0.00} s CPU, {built[^1].Descriptor.Digest}");
}
