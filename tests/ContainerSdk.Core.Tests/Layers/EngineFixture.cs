using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Bundle;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Tests;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Outputs;

namespace ContainerSdk.Core.Tests.Layers;

/// <summary>Builds small stacks through the engine facade, as the tasks do, and keeps what the log said.</summary>
internal sealed class EngineRun : IDisposable
{
    public EngineRun(string? prefix = null) => Dir = new TempDir(prefix ?? "eng");

    public TempDir Dir { get; }
    public RecordingLog Log { get; } = new();
    public string Work => Dir.Combine("obj");
    public string Layout => Dir.Combine("out", "image");
    public string Bundle => Dir.Combine("out", "site.tar.gz");
    public string BundleAcl => Dir.Combine("out", "site.acl");

    public static LayerInput Base(string path) => new() { ItemSpec = Path.GetFileName(path), Kind = LayerKind.Base, SourcePath = path };

    public static LayerInput Module(string path, string target = "/") =>
        new() { ItemSpec = Path.GetFileName(path), Kind = LayerKind.Module, SourcePath = path, TargetPath = target };

    public IReadOnlyList<BuiltLayer> Layers(IReadOnlyList<LayerInput> inputs, long epoch = 0, LayerCompression compression = LayerCompression.Gzip,
        IReadOnlyList<AclFileInput>? aclFiles = null, bool bundle = false) =>
        ContainerEngine.BuildLayers(inputs, aclFiles ?? Array.Empty<AclFileInput>(), new LayerBuildOptions { Epoch = epoch, Compression = compression, WorkDirectory = Work },
            Log, default, bundle ? new BundleOutput(Bundle, BundleAcl) : null);

    public (IReadOnlyList<BuiltLayer> Layers, ImageResult Image) Build(IReadOnlyList<LayerInput> inputs, long epoch = 0)
    {
        var layers = Layers(inputs, epoch, bundle: true);
        var image = ContainerEngine.WriteImage(layers, new ImageSettings { Repository = "site", Tags = new[] { "1.0" }, Epoch = epoch }, Layout, Log);
        return (layers, image);
    }

    public void Dispose() => Dir.Dispose();
}

/// <summary>Writes small trees on disk for tests.</summary>
internal static class Tree
{
    public static string File(string root, string relative, string content, int? mode = null)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        if (mode is { } m) System.IO.File.SetUnixFileMode(path, (UnixFileMode)m);
        return path;
    }

    public static string Dir(string root, string relative, int? mode = null)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(path);
        if (mode is { } m) System.IO.File.SetUnixFileMode(path, (UnixFileMode)m);
        return path;
    }

    /// <summary>A minimal root filesystem: accounts that exist only in the image, and /tmp 1777.</summary>
    public static string Rootfs(string root)
    {
        File(root, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nsvc:x:4100:4200:service:/home/svc:/bin/sh\n");
        File(root, "etc/group", "root:x:0:\nlicensed:x:4200:svc\n");
        File(root, "etc/os-release", "NAME=test\n");
        Dir(root, "tmp", 0x3FF); // 1777
        return root;
    }
}
