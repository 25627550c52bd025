using System.Diagnostics;
using System.Security.Cryptography;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Hostile;

/// <summary>
/// Builds killed with SIGKILL at random moments (seeded) while they write layers, the bundle and the image, each
/// followed by more builds: the build that finally completes must give the bytes of a build never interrupted.
/// And two builds of one project at once: the second waits for the first (WorkLock), both give the same image.
/// </summary>
public class CrashSafetyTests(ITestOutputHelper output)
{
    private const int Kills = 24;

    /// <summary>A base and a module of ~24 MiB of incompressible files: a cold build takes about a second.</summary>
    private static (string Base, string Module) Inputs(TempDir dir)
    {
        var rootfs = Tree.Rootfs(dir.Combine("base"));
        var module = dir.Combine("module");
        var random = new Random(7);
        for (int i = 0; i < 12; i++)
        {
            var data = new byte[2_000_000];
            random.NextBytes(data);
            Directory.CreateDirectory(Path.Combine(module, $"d{i % 3}"));
            File.WriteAllBytes(Path.Combine(module, $"d{i % 3}", $"f{i}.bin"), data);
        }
        return (rootfs, module);
    }

    /// <summary>Makes the module differ from every earlier state, so that the next build writes a layer, segments and an image again.</summary>
    private static void Change(string module, int round, Random random)
    {
        var data = new byte[2_000_000];
        random.NextBytes(data);
        File.WriteAllBytes(Path.Combine(module, $"d{round % 3}", $"f{round % 12}.bin"), data);
        File.WriteAllText(Path.Combine(module, "round.txt"), $"{round}\n");
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Builds_killed_at_random_moments_then_completed_give_the_bytes_of_an_uninterrupted_build()
    {
        using var dir = new TempDir("crash");
        var (rootfs, module) = Inputs(dir);
        var random = new Random(20261124);
        var victim = dir.Combine("victim");
        var clock = Stopwatch.StartNew();

        // How long a cold build takes here: kills land anywhere in [0, that].
        var timer = Stopwatch.StartNew();
        BuildProcess.Complete(dir.Combine("warmup"), rootfs, module);
        double coldMs = Math.Max(500, timer.Elapsed.TotalMilliseconds);

        var phases = new Dictionary<string, int>();
        int round = 0;
        for (int kill = 1; kill <= Kills; kill++)
        {
            if (kill % 2 == 1) Change(module, ++round, random);
            using (var build = new BuildProcess(victim, rootfs, module))
            {
                // Aim at each step in turn (a random moment inside it): the image step is short and would be hit rarely.
                var (marker, window) = (kill % 3) switch
                {
                    0 => ("phase layers", (int)(coldMs * 0.25)),
                    1 => ("info Layer 2/2", (int)(coldMs * 0.2)),
                    _ => ("phase image", 40),
                };
                build.WaitForLine(marker);
                Thread.Sleep(random.Next(0, window));
                build.Kill();
                string phase = Phase(build.Output);
                phases[phase] = phases.GetValueOrDefault(phase) + 1;
            }
            if (kill % 8 == 0) AssertSameAsFresh(dir, victim, rootfs, module, $"after kill {kill}");
        }
        output.WriteLine($"{Kills} kills in {clock.Elapsed.TotalSeconds:0.0} s (cold build {coldMs:0} ms); phase reached: " +
                         string.Join(", ", phases.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}")));
        Assert.True(phases.Keys.Count(k => k != "finished") >= 3, "the kills did not land in enough phases: " + string.Join(", ", phases.Keys));
    }

    /// <summary>Completes a build in the victim folder and a build in a fresh one: same manifest, same layout files, same bundle bytes.</summary>
    private static void AssertSameAsFresh(TempDir dir, string victim, string rootfs, string module, string when)
    {
        var fresh = dir.Combine("fresh-" + Guid.NewGuid().ToString("N")[..6]);
        var digest = BuildProcess.Complete(victim, rootfs, module);
        var expected = BuildProcess.Complete(fresh, rootfs, module);
        Assert.True(expected == digest, $"{when}: manifest {digest}, an uninterrupted build gives {expected}");
        Assert.Equal(Hash(Path.Combine(fresh, "out", "site.tar.gz")), Hash(Path.Combine(victim, "out", "site.tar.gz")));
        Assert.Equal(Hash(Path.Combine(fresh, "out", "site.acl")), Hash(Path.Combine(victim, "out", "site.acl")));
        Assert.Equal(Files(Path.Combine(fresh, "out", "image")), Files(Path.Combine(victim, "out", "image")));
        // What the killed builds left half-written was cleaned up by the build that completed.
        Assert.Empty(Directory.EnumerateFiles(victim, ".csdk-tmp-*", SearchOption.AllDirectories));
        // Every blob is what its name says: nothing half-written was kept.
        foreach (var blob in Directory.EnumerateFiles(Path.Combine(victim, "out", "image", "blobs", "sha256")))
            Assert.Equal(Path.GetFileName(blob), Hash(blob));
        Directory.Delete(fresh, recursive: true);
    }

    /// <summary>The last step the killed build said it reached.</summary>
    private static string Phase(string output)
    {
        var lines = output.Split('\n');
        if (lines.Any(l => l.StartsWith("done ", StringComparison.Ordinal))) return "finished";
        if (lines.Any(l => l.StartsWith("phase image", StringComparison.Ordinal))) return "image";
        if (lines.Any(l => l.StartsWith("info Bundle", StringComparison.Ordinal))) return "bundle written";
        if (lines.Any(l => l.StartsWith("info Layer 2/2", StringComparison.Ordinal))) return "bundle";
        if (lines.Any(l => l.StartsWith("phase layers", StringComparison.Ordinal))) return "layers";
        return "starting";
    }

    private static string Hash(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    private static string[] Files(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f) + " " + Hash(f)).Order(StringComparer.Ordinal).ToArray();

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Two_builds_of_one_project_at_once_wait_for_each_other_and_agree()
    {
        using var dir = new TempDir("twice");
        var (rootfs, module) = Inputs(dir);
        var project = dir.Combine("project");
        using var first = new BuildProcess(project, rootfs, module);
        using var second = new BuildProcess(project, rootfs, module);
        var (c1, o1) = first.Wait();
        var (c2, o2) = second.Wait();
        Assert.True(c1 == 0 && c2 == 0, $"first ({c1}):\n{o1}\nsecond ({c2}):\n{o2}");
        Assert.True((o1 + o2).Contains("Waiting for another build of this project (pid "), "neither build waited:\n" + o1 + o2);
        string Digest(string o) => o.Split('\n').Single(l => l.StartsWith("done ")).Trim();
        Assert.Equal(Digest(o1), Digest(o2));

        var fresh = dir.Combine("fresh");
        Assert.Equal(Digest(o1)["done ".Length..], BuildProcess.Complete(fresh, rootfs, module));
        Assert.Equal(Hash(Path.Combine(fresh, "out", "site.tar.gz")), Hash(Path.Combine(project, "out", "site.tar.gz")));
        Assert.Equal(Files(Path.Combine(fresh, "out", "image")), Files(Path.Combine(project, "out", "image")));
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void A_build_killed_while_another_project_uses_the_same_cache_folder_harms_neither()
    {
        using var dir = new TempDir("sharedkill");
        var (rootfs, module) = Inputs(dir);
        var cache = dir.Combine("ci-cache");
        string survivor = dir.Combine("survivor"), victim = dir.Combine("victim");
        var expected = BuildProcess.Complete(dir.Combine("alone"), rootfs, module);

        using (var other = new BuildProcess(survivor, rootfs, module, cache: cache))
        {
            using (var killed = new BuildProcess(victim, rootfs, module, cache: cache))
            {
                Assert.True(killed.WaitForLine("phase layers"), killed.Output);
                Thread.Sleep(new Random(3).Next(100, 400)); // while both write the same layer into the folder
                killed.Kill();
            }
            var (code, output) = other.Wait();
            Assert.True(code == 0, output);
            Assert.DoesNotContain("Waiting for another build", output);
            Assert.Equal(expected, output.Split('\n').Single(l => l.StartsWith("done ", StringComparison.Ordinal))["done ".Length..].Trim());
        }

        // The victim built again, alone with the folder: the same bytes, and what the killed build left there is gone.
        Assert.Equal(expected, BuildProcess.Complete(victim, rootfs, module, cache));
        Assert.Equal(Hash(Path.Combine(dir.Combine("alone"), "out", "site.tar.gz")), Hash(Path.Combine(victim, "out", "site.tar.gz")));
        Assert.Equal(Hash(Path.Combine(dir.Combine("alone"), "out", "site.tar.gz")), Hash(Path.Combine(survivor, "out", "site.tar.gz")));
        Assert.Empty(Directory.EnumerateFiles(cache, ".csdk-tmp-*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(victim, ".csdk-tmp-*", SearchOption.AllDirectories));
        foreach (var blob in Directory.EnumerateFiles(Path.Combine(cache, "blobs", "sha256")))
            Assert.Equal(Path.GetFileName(blob), Hash(blob));
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void A_build_that_cannot_get_the_lock_in_time_fails_with_a_code_naming_the_holder()
    {
        using var dir = new TempDir("locked");
        var rootfs = Tree.Rootfs(dir.Combine("base"));
        var module = Tree.Dir(dir.Path, "module");
        Tree.File(module, "a.txt", "a");
        var project = dir.Combine("project");
        // This test process holds the lock: the child, another process, must not get it.
        using var held = Core.Cache.WorkLock.Acquire(Path.Combine(project, "obj", ".lock"), NullBuildLog.Instance, cancellationToken: TestContext.Current.CancellationToken);
        using var build = new BuildProcess(project, rootfs, module, new Dictionary<string, string> { ["CONTAINERSDK_LOCK_TIMEOUT"] = "1" });
        var (code, text) = build.Wait();
        Assert.True(code == 1, $"exit {code}:\n{text}");
        Assert.Contains($"error {Codes.BuildFolderLocked}", text);
        Assert.Contains($"pid {Environment.ProcessId}", text);
        Assert.Contains($"Waiting for another build of this project (pid {Environment.ProcessId})", text);
        Assert.False(File.Exists(Path.Combine(project, "out", "site.tar.gz")));
    }

    [Fact]
    public void Two_builds_in_one_process_are_kept_apart_too()
    {
        using var dir = new TempDir("inproc");
        var lockFile = dir.Combine("obj", ".lock");
        using (Core.Cache.WorkLock.Acquire(lockFile, NullBuildLog.Instance, cancellationToken: TestContext.Current.CancellationToken))
        {
            var e = Assert.Throws<ContainerSdkException>(() => Core.Cache.WorkLock.Acquire(lockFile, NullBuildLog.Instance, TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken));
            Assert.Equal(Codes.BuildFolderLocked, e.Code);
        }
        using (Core.Cache.WorkLock.Acquire(lockFile, NullBuildLog.Instance, TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken)) { } // released on dispose
    }
}
