using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Bundle;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Tests.Layers;
using ContainerSdk.Tests;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Outputs;

namespace ContainerSdk.Core.Tests.Hostile;

/// <summary>
/// A build in a jail folder: inputs under in/, the project's intermediate and output folders under proj/. After a
/// build, anything new in the jail outside proj/obj and proj/out was written where it must not be.
/// </summary>
internal sealed class HostileRun : IDisposable
{
    private readonly HashSet<string> _before;

    public HostileRun()
    {
        Jail = new TempDir("hostile");
        Directory.CreateDirectory(In);
        Tree.Rootfs(Path.Combine(In, "rootfs"));
        _before = Snapshot();
    }

    public TempDir Jail { get; }
    public string In => Jail.Combine("in");
    public string Work => Jail.Combine("proj", "obj");
    public string Layout => Jail.Combine("proj", "out", "image");
    public string Bundle => Jail.Combine("proj", "out", "site.tar.gz");
    public string BundleAcl => Jail.Combine("proj", "out", "site.acl");
    public RecordingLog Log { get; } = new();

    public string Input(string name) => Path.Combine(In, name);

    /// <summary>Adds an input file after the jail's snapshot was taken (inputs are expected to be there).</summary>
    public string AddInput(string name, byte[] bytes)
    {
        var path = Input(name);
        File.WriteAllBytes(path, bytes);
        _before.Add(path);
        return path;
    }

    public ImageResult Build(params LayerInput[] layers)
    {
        // Whatever the test put in the jail before building is input; only what appears during the build is suspect.
        _before.UnionWith(Snapshot());
        var options = new LayerBuildOptions { Epoch = 0, Compression = LayerCompression.Gzip, WorkDirectory = Work };
        var built = ContainerEngine.BuildLayers(layers, Array.Empty<AclFileInput>(), options, Log, default, new BundleOutput(Bundle, BundleAcl));
        return ContainerEngine.WriteImage(built, new ImageSettings { Repository = "site", Tags = new[] { "1.0" } }, Layout, Log);
    }

    public LayerInput Base() => EngineRun.Base(Input("rootfs"));

    public static LayerInput Module(string path, string target = "/opt/mod") => EngineRun.Module(path, target);

    /// <summary>Builds a base plus the hostile module, expects the coded error, and checks that nothing was left behind.</summary>
    public ContainerSdkException BuildFails(string code, string modulePath, string target = "/opt/mod")
    {
        var e = Assert.Throws<ContainerSdkException>(() => Build(Base(), Module(modulePath, target)));
        Assert.True(e.Code == code, $"expected {code}, got {e.Code}: {e.Message}");
        Assert.Contains(Path.GetFileName(modulePath), e.Message);
        AssertNothingWritten();
        return e;
    }

    /// <summary>No image, no bundle, no temporary file or spool left, nothing outside the project's folders.</summary>
    public void AssertNothingWritten()
    {
        Assert.False(File.Exists(Path.Combine(Layout, "index.json")), "an image was written");
        Assert.False(File.Exists(Bundle), "a bundle was written");
        Assert.False(Directory.Exists(Path.Combine(Work, "spool")), "the spool folder was left behind");
        string proj = Jail.Combine("proj");
        var strays = Snapshot().Where(p => !_before.Contains(p) && p != proj && !Within(p, Work) && !Within(p, Path.Combine(proj, "out"))).ToList();
        Assert.True(strays.Count == 0, "written outside the project's folders: " + string.Join(", ", strays));
        if (Directory.Exists(Work))
            Assert.Empty(Directory.EnumerateFiles(Work, "*.tmp*", SearchOption.AllDirectories));
    }

    /// <summary>The names of one layer blob, as GNU tar lists them.</summary>
    public static string[] List(string blob) =>
        Tools.Run("sh", "-c", $"gzip -dc '{blob}' | tar -tf -").EnsureSuccess("tar -t").StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static string Cat(string blob, string name) =>
        Tools.Run("sh", "-c", $"gzip -dc '{blob}' | tar -xOf - '{name}'").EnsureSuccess("tar -xO").StdOut;

    private static bool Within(string path, string folder) => path == folder || path.StartsWith(folder + "/", StringComparison.Ordinal);

    /// <summary>Every path in the jail; links are listed, never followed (hostile modules hold link loops).</summary>
    private HashSet<string> Snapshot()
    {
        var all = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<DirectoryInfo>();
        pending.Push(new DirectoryInfo(Jail.Path));
        while (pending.Count > 0)
            foreach (var entry in pending.Pop().EnumerateFileSystemInfos("*", new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = 0 }))
            {
                all.Add(entry.FullName);
                if (entry is DirectoryInfo d && d.LinkTarget is null) pending.Push(d);
            }
        return all;
    }

    public void Dispose() => Jail.Dispose();
}
