using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Bundle;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Blobs;

// usage: ContainerSdk.BuildRunner <project folder> <base> <module> [<cache folder>]
// Builds layers, bundle and image as the tasks do, into <project>/obj and <project>/out (the caches into <cache folder>,
// ContainerCacheDirectory, when given), printing each step.
// Exit 0 on success, 1 with "error CODE: message" on a coded error; anything else is a crash (exit != 0, 1).
if (args.Length is not (3 or 4))
{
    Console.Error.WriteLine("usage: ContainerSdk.BuildRunner <project folder> <base> <module> [<cache folder>]");
    return 2;
}
var project = Path.GetFullPath(args[0]);
var log = new ConsoleLog();
try
{
    var inputs = new[]
    {
        new LayerInput { ItemSpec = "base", Kind = LayerKind.Base, SourcePath = Path.GetFullPath(args[1]) },
        new LayerInput { ItemSpec = "module", Kind = LayerKind.Module, SourcePath = Path.GetFullPath(args[2]), TargetPath = "/opt/module" },
    }.Select(LayerInputs.Validate).ToList();
    var options = new LayerBuildOptions { Epoch = 1700000000, Compression = LayerCompression.Gzip, WorkDirectory = Path.Combine(project, "obj") };
    var bundle = new BundleOutput(Path.Combine(project, "out", "site.tar.gz"), Path.Combine(project, "out", "site.acl"));
    Console.WriteLine("phase layers");
    var registries = new RegistrySettings { CacheDirectory = args.Length == 4 ? Path.GetFullPath(args[3]) : null };
    var layers = ContainerEngine.BuildLayers(inputs, Array.Empty<AclFileRequest>(), options, log, default, bundle, registries);
    Console.WriteLine("phase image");
    var image = ContainerEngine.WriteImage(layers, new ImageSettings { Repository = "site", Tags = new[] { "1.0" }, Epoch = 1700000000 },
        Path.Combine(project, "out", "image"), log);
    Console.WriteLine($"done {image.ManifestDigest}");
    return 0;
}
catch (ContainerSdkException e)
{
    Console.WriteLine($"error {e.Code}: {e.Message}");
    return 1;
}

internal sealed class ConsoleLog : IBuildLog
{
    public void Info(string message) => Console.WriteLine("info " + message);
    public void Detail(string message) { }
    public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) => Console.WriteLine($"warning {code}: {message}");
}
