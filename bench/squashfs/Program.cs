// Usage: dotnet run --project bench/squashfs -c Release -- TREE SCRATCH_DIR [gzip|zstd|xz] [RUNS]
// Writes TREE as a SquashFS image with the engine's writer (2 threads) and with
// `mksquashfs TREE IMG -processors 2 -comp C -b 131072 -noappend -mkfs-time T -all-time T`, each RUNS times (the
// first of ours pays the JIT; the best run of each counts), the tree in the page cache (read once before), and prints
// each run's wall and CPU time, the images' sizes and the ratios (goals: time <= 1.0x, size <= 1.03x).
// SQUASHFS_OURS_ONLY=1 runs the writer alone (for its peak RSS under /usr/bin/time).
using System.Diagnostics;
using ContainerSdk.Core.Squashfs;
using Mono.Unix.Native;

string tree = Path.GetFullPath(args[0]), scratch = Path.GetFullPath(args[1]);
string comp = args.Length > 2 ? args[2] : "gzip";
int runs = args.Length > 3 ? int.Parse(args[3]) : 2;
const uint Time = 1700000000;
Directory.CreateDirectory(scratch);
var compression = comp switch { "zstd" => SquashfsCompression.Zstd, "xz" => SquashfsCompression.Xz, _ => SquashfsCompression.Gzip };

// The tree in the page cache, for both tools alike.
long bytes = 0, files = 0;
foreach (var f in Directory.EnumerateFiles(tree, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
{
    using var s = File.OpenRead(f);
    s.CopyTo(Stream.Null);
    bytes += s.Length; files++;
}
Console.WriteLine($"tree {tree}: {files} files, {bytes / 1048576.0:0.0} MiB; compressor {comp}, 2 threads");

string ours = Path.Combine(scratch, "ours.sqsh"), theirs = Path.Combine(scratch, "mksquashfs.sqsh");
double bestOurs = double.MaxValue, bestTheirs = double.MaxValue;
if (File.Exists(theirs)) File.Delete(theirs); // an image of an earlier run is not this run's
for (int run = 1; run <= runs; run++)
{
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    var summary = SquashfsWriter.Write(ours, Walk(tree, ""), new SquashfsOptions { Compression = compression, MkfsTime = Time, Threads = 2 });
    double wall = clock.Elapsed.TotalSeconds, cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
    bestOurs = Math.Min(bestOurs, wall);
    Console.WriteLine($"ours run {run}: {wall:0.00} s wall, {cpu:0.00} s CPU, {summary.Length / 1048576.0:0.0} MiB, {summary.Inodes} inodes, {summary.Fragments} fragments, {summary.DuplicateFiles} duplicates");

    // SQUASHFS_OURS_ONLY=1: the writer alone, so that /usr/bin/time's peak RSS is its own (mksquashfs's caches are larger).
    if (Environment.GetEnvironmentVariable("SQUASHFS_OURS_ONLY") == "1") continue;
    if (File.Exists(theirs)) File.Delete(theirs);
    var psi = new ProcessStartInfo("/usr/bin/time", new[] { "-f", "%e %U %S", "mksquashfs", tree, theirs, "-processors", "2", "-comp", comp, "-b", "131072",
        "-noappend", "-mkfs-time", Time.ToString(), "-all-time", Time.ToString(), "-no-progress", "-quiet" }) { RedirectStandardError = true, RedirectStandardOutput = true };
    clock.Restart();
    using (var p = Process.Start(psi)!)
    {
        p.StandardOutput.ReadToEnd();
        var err = p.StandardError.ReadToEnd().Trim().Split('\n')[^1].Split(' ');
        p.WaitForExit();
        wall = clock.Elapsed.TotalSeconds;
        bestTheirs = Math.Min(bestTheirs, wall);
        Console.WriteLine($"mksquashfs run {run}: {wall:0.00} s wall, {double.Parse(err[1]) + double.Parse(err[2]):0.00} s CPU, {new FileInfo(theirs).Length / 1048576.0:0.0} MiB");
    }
}
if (!File.Exists(theirs)) return;
long ourSize = new FileInfo(ours).Length, theirSize = new FileInfo(theirs).Length;
Console.WriteLine($"time: {bestOurs:0.00} s vs {bestTheirs:0.00} s = {bestOurs / bestTheirs:0.00}x (goal <= 1.0x)");
Console.WriteLine($"size: {ourSize / 1048576.0:0.0} MiB vs {theirSize / 1048576.0:0.0} MiB = {(double)ourSize / theirSize:0.000}x (goal <= 1.03x)");

// The tree as the writer takes it: parents before children, names in ordinal order, owners and modes by lstat.
static IEnumerable<SquashfsEntry> Walk(string root, string relative)
{
    string full = relative.Length == 0 ? root : Path.Combine(root, relative);
    if (Syscall.lstat(full, out var st) != 0) throw new IOException($"lstat {full} failed");
    var kind = (FilePermissions)((uint)st.st_mode & (uint)FilePermissions.S_IFMT);
    var type = kind switch
    {
        FilePermissions.S_IFDIR => SquashfsEntryType.Directory,
        FilePermissions.S_IFLNK => SquashfsEntryType.SymbolicLink,
        _ => SquashfsEntryType.File,
    };
    yield return new SquashfsEntry(relative, type)
    {
        Mode = (int)((uint)st.st_mode & 0xFFF), Uid = st.st_uid, Gid = st.st_gid, ModificationTime = Time,
        Size = type == SquashfsEntryType.File ? st.st_size : 0,
        LinkTarget = type == SquashfsEntryType.SymbolicLink ? new FileInfo(full).LinkTarget ?? "" : "",
        OpenContent = type == SquashfsEntryType.File ? () => new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan) : null,
    };
    if (type != SquashfsEntryType.Directory) yield break;
    var names = Directory.EnumerateFileSystemEntries(full, "*", new EnumerationOptions { AttributesToSkip = 0 }).Select(Path.GetFileName).ToList();
    names.Sort(StringComparer.Ordinal);
    foreach (var name in names)
        foreach (var entry in Walk(root, relative.Length == 0 ? name! : relative + "/" + name))
            yield return entry;
}
