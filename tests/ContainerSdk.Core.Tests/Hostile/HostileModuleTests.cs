using System.Net.Sockets;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Tests.Layers;
using ContainerSdk.Tests;
using ContainerSdk.Core.Outputs;

namespace ContainerSdk.Core.Tests.Hostile;

/// <summary>Module folders that try to make the build read outside them, hang, or read a file half-written.</summary>
public class HostileModuleTests
{
    private static string Verbose(string blob) =>
        Tools.Run("sh", "-c", $"gzip -dc '{blob}' | tar -tvf -").EnsureSuccess("tar -tv").StdOut;

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Symbolic_links_pointing_anywhere_are_stored_as_links_and_never_followed()
    {
        using var run = new HostileRun();
        var mod = Tree.Dir(run.In, "links");
        Tree.File(mod, "real.txt", "real");
        File.CreateSymbolicLink(Path.Combine(mod, "etc-link"), "/etc");
        File.CreateSymbolicLink(Path.Combine(mod, "shadow"), "/etc/shadow");
        File.CreateSymbolicLink(Path.Combine(mod, "up"), "../../../../..");
        File.CreateSymbolicLink(Path.Combine(mod, "dangling"), "/nonexistent/nowhere");
        var image = run.Build(run.Base(), HostileRun.Module(mod));

        var listing = Verbose(LayerBlob(run, image, 1));
        Assert.Contains("opt/mod/etc-link -> /etc", listing);
        Assert.Contains("opt/mod/shadow -> /etc/shadow", listing);
        Assert.Contains("opt/mod/up -> ../../../../..", listing);
        Assert.Contains("opt/mod/dangling -> /nonexistent/nowhere", listing);
        Assert.DoesNotContain("opt/mod/etc-link/", listing);
        Assert.DoesNotContain("passwd", listing.Replace("etc/passwd", "")); // only the base's own
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public async Task A_loop_of_directory_links_does_not_hang_the_walk()
    {
        using var run = new HostileRun();
        var mod = Tree.Dir(run.In, "loops");
        Tree.Dir(mod, "real");
        File.CreateSymbolicLink(Path.Combine(mod, "a"), "b");
        File.CreateSymbolicLink(Path.Combine(mod, "b"), "a");
        File.CreateSymbolicLink(Path.Combine(mod, "self"), ".");
        File.CreateSymbolicLink(Path.Combine(mod, "real", "parent"), "..");
        var build = Task.Run(() => run.Build(run.Base(), HostileRun.Module(mod)), TestContext.Current.CancellationToken);
        Assert.True(await Task.WhenAny(build, Task.Delay(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken)) == build, "the build hung on a loop of links");
        var listing = Verbose(LayerBlob(run, await build, 1));
        Assert.Contains("opt/mod/a -> b", listing);
        Assert.Contains("opt/mod/self -> .", listing);
        Assert.Contains("opt/mod/real/parent -> ..", listing);
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Sockets_are_skipped_with_a_warning()
    {
        using var run = new HostileRun();
        var mod = Tree.Dir(run.In, "sock");
        Tree.File(mod, "keep.txt", "k");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(mod, "app.sock")));
        var image = run.Build(run.Base(), HostileRun.Module(mod));
        var warning = Assert.Single(run.Log.Warnings, w => w.Code == Codes.SocketSkipped);
        Assert.Contains("app.sock", warning.Message);
        var listing = Verbose(LayerBlob(run, image, 1));
        Assert.Contains("opt/mod/keep.txt", listing);
        Assert.DoesNotContain("app.sock", listing);
    }

    /// <param name="builtBefore">Built once before the writer starts: the second build hashes the files its stat cache cannot
    /// vouch for on every core before it looks the layer up, rather than reading them while it writes the layer.</param>
    [Theory]
    [InlineData("append", false)]
    [InlineData("rewrite", false)]
    [InlineData("rewrite", true)]
    public async Task A_file_written_while_the_build_reads_it_is_detected(string how, bool builtBefore)
    {
        using var run = new HostileRun();
        var mod = Tree.Dir(run.In, "busy");
        var busy = Path.Combine(mod, "busy.log");
        var data = new byte[16 << 20];
        new Random(9).NextBytes(data);
        File.WriteAllBytes(busy, data);
        for (int i = 0; i < 64 && builtBefore; i++) Tree.File(mod, $"quiet-{i}.txt", new string('q', 1000 + i));
        if (builtBefore) run.Build(run.Base(), HostileRun.Module(mod));
        using var stop = new CancellationTokenSource();
        using var writing = new ManualResetEventSlim();
        // A writer that keeps going for the whole build, as a running service writes its log.
        var writer = Task.Run(() =>
        {
            using var file = new FileStream(busy, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            var chunk = new byte[16];
            long at = 0;
            while (!stop.IsCancellationRequested)
            {
                if (how == "append") file.Seek(0, SeekOrigin.End);
                else { file.Position = at; at = (at + 4096) % (data.Length - 16); }
                file.Write(chunk);
                file.Flush();
                writing.Set();
                Thread.Sleep(1);
            }
        }, TestContext.Current.CancellationToken);
        try
        {
            // On a loaded machine the writer's thread may start late: the build begins once it is writing.
            Assert.True(writing.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken), "the writer never wrote");
            var e = Assert.Throws<ContainerSdkException>(() => run.Build(run.Base(), HostileRun.Module(mod)));
            Assert.True(e.Code == Codes.FileChangedWhileReading, $"{e.Code}: {e.Message}");
            Assert.Contains("busy.log", e.Message);
            if (!builtBefore) run.AssertNothingWritten(); // else the first build's outputs are there, as they should be
        }
        finally
        {
            stop.Cancel();
            await writer;
        }
    }

    /// <summary>Root reads everything: the build runs as nobody (65534) in a child process, over root-owned files.</summary>
    [Trait("Category", "EndToEnd")]
    [Theory]
    [InlineData("file")]
    [InlineData("folder")]
    [InlineData("tarball")]
    public void Unreadable_input_is_a_coded_error_naming_the_path_for_a_normal_user(string what)
    {
        Tools.RequireRoot("switching to another user needs root");
        var setpriv = Tools.Require("setpriv");
        using var dir = new TempDir("nobody");
        File.SetUnixFileMode(dir.Path, (UnixFileMode)0x1FF); // 0777: nobody writes the project's folders here
        var rootfs = Tree.Rootfs(dir.Combine("base"));
        var mod = Tree.Dir(dir.Path, "module");
        Tree.File(mod, "open.txt", "o");
        string culprit = what switch
        {
            "file" => Tree.File(mod, "secret/key.pem", "k", "600"),   // root only
            "folder" => Tree.Dir(mod, "private", "700"),               // root only
            _ => dir.Combine("vendor.tar"),
        };
        if (what == "folder") Tree.File(mod, "private/inside.txt", "i");
        if (what == "tarball")
        {
            File.WriteAllBytes(culprit, new RawTar().Entry("a.txt", data: "a").Bytes());
            File.SetUnixFileMode(culprit, (UnixFileMode)0x180); // 0600 root
            mod = culprit;
        }
        var project = Tree.Dir(dir.Path, "project", "777");

        // nobody may not read the clone (a checkout under a 0700 home): it runs a copy of the runner from the temp folder.
        var runnerCopy = Tree.Dir(dir.Path, "runner", "755");
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(runnerCopy, Path.GetRelativePath(AppContext.BaseDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var runner = Path.Combine(runnerCopy, "ContainerSdk.BuildRunner.dll");
        var result = Tools.Run(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "env", $"HOME={project}", $"DOTNET_CLI_HOME={project}",
            "DOTNET_NOLOGO=1", "dotnet", runner, project, rootfs, mod);
        var text = result.StdOut + result.StdErr;
        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}:\n{text}");
        Assert.Contains($"error {Codes.InputUnreadable}", text);
        Assert.Contains(culprit, text);
        Assert.Contains("permission denied", text);
        Assert.False(File.Exists(Path.Combine(project, "out", "site.tar.gz")));
        Assert.False(File.Exists(Path.Combine(project, "out", "image", "index.json")));
    }

    private static string LayerBlob(HostileRun run, ImageResult image, int index)
    {
        var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Layout, "blobs", "sha256", image.ManifestDigest.Hex)));
        var layer = manifest.RootElement.GetProperty("layers")[index].GetProperty("digest").GetString()!;
        return Path.Combine(run.Layout, "blobs", "sha256", layer["sha256:".Length..]);
    }
}
