using ContainerSdk.Core.Tests.Blobs;
using ContainerSdk.Core.Tests.Oci;
using System.Text;
using System.Text.Json;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Outputs;

using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Outputs;

public class ImageWriterTests
{
    internal static BuiltLayer BuildLayer(TempDir dir, string name, string text, params string[] environment)
    {
        var tar = LayerBlobWriterTests.MakeTar(dir, name + ".tar", text);
        using var writer = LayerBlobWriter.Create(dir.Combine("cache"), LayerCompression.Gzip);
        using (var input = File.OpenRead(tar)) input.CopyTo(writer);
        var blob = writer.Complete();
        return new BuiltLayer
        {
            BlobPath = blob.BlobPath,
            Descriptor = blob.Descriptor,
            DiffId = blob.DiffId,
            ItemSpec = "modules/" + name,
            Kind = LayerKind.Module,
            Environment = environment,
            CreatedBy = "Module modules/" + name,
        };
    }

    internal static ImageSettings Settings(params string[] tags) => new()
    {
        Repository = "hpc/site",
        Tags = tags.Length == 0 ? new[] { "2026.11", "latest" } : tags,
        User = "1000:1000",
        WorkingDirectory = "/work",
        Environment = new[] { new KeyValuePair<string, string>("OMPI_MCA_btl", "^openib $PATH") },
        Labels = new[] { new KeyValuePair<string, string>("org.opencontainers.image.vendor", "HPC team") },
        Ports = new[] { "8080/tcp" },
        Cmd = new[] { "/bin/sh" },
        Epoch = 1700000000,
        Platform = Properties.Platform("linux/arm64/v8"),
    };

    private static IEnumerable<string> AllFiles(string dir) => Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories);

    [Fact]
    public void Writes_a_layout_whose_documents_validate_against_the_oci_schemas()
    {
        using var dir = new TempDir("iw");
        var layers = new[] { BuildLayer(dir, "base", "base\n"), BuildLayer(dir, "mpi", "mpi\n", "PATH=/opt/mpi/bin:$PATH", "MPI_HOME=/opt/mpi") };
        var layout = dir.Combine("image");
        var log = new RecordingLog();
        var result = ContainerEngine.WriteImage(layers, Settings(), layout, log);

        var indexJson = File.ReadAllBytes(Path.Combine(layout, "index.json"));
        OciSchemas.AssertValid("image-layout-schema.json", File.ReadAllBytes(Path.Combine(layout, "oci-layout")));
        OciSchemas.AssertValid("image-index-schema.json", indexJson);
        var index = ImageIndex.Parse(indexJson);
        Assert.Equal(new[] { "2026.11", "latest" }, index.Manifests.Select(m => m.Annotations![ImageIndex.RefNameAnnotation]));
        Assert.Equal(new[] { "hpc/site:2026.11", "hpc/site:latest" }, index.Manifests.Select(m => m.Annotations![Annotations.ContainerdName]));
        Assert.All(index.Manifests, m => Assert.Equal(result.ManifestDigest, m.Digest));

        var manifestJson = File.ReadAllBytes(Path.Combine(layout, "blobs", "sha256", result.ManifestDigest.Hex));
        Assert.Equal(result.ManifestDigest, Digest.Compute(manifestJson));
        OciSchemas.AssertValid("image-manifest-schema.json", manifestJson);
        var manifest = Manifest.Parse(manifestJson);
        Assert.Equal(layers.Select(l => l.Descriptor), manifest.Layers);
        Assert.Equal("2023-11-14T22:13:20Z", manifest.Annotations![Annotations.Created]);

        var configJson = File.ReadAllBytes(Path.Combine(layout, "blobs", "sha256", result.ConfigDigest.Hex));
        OciSchemas.AssertValid("config-schema.json", configJson);
        var config = ImageConfig.Parse(configJson);
        Assert.Equal(("linux", "arm64", "v8"), (config.Os, config.Architecture, config.Variant));
        Assert.Equal(layers.Select(l => l.DiffId), config.DiffIds);
        Assert.Equal(new[] { "Module modules/base", "Module modules/mpi" }, config.History.Select(h => h.CreatedBy));
        Assert.All(config.History, h => Assert.Equal("2023-11-14T22:13:20Z", h.Created));
        Assert.Equal(new[]
        {
            "PATH=/opt/mpi/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "MPI_HOME=/opt/mpi",
            "OMPI_MCA_btl=^openib $PATH",
        }, config.Config.Env);
        Assert.Equal("1000:1000", config.Config.User);
        Assert.Equal("/work", config.Config.WorkingDir);
        Assert.Equal(new[] { "8080/tcp" }, config.Config.ExposedPorts);
        Assert.Null(config.Config.Entrypoint);
        Assert.Equal(new[] { "/bin/sh" }, config.Config.Cmd);
        Assert.Equal("HPC team", config.Config.Labels["org.opencontainers.image.vendor"]);

        Assert.Empty(log.Warnings);
        var line = Assert.Single(log.Infos);
        Assert.Contains(result.LayoutPath, line);
        Assert.Contains(result.ManifestDigest.ToString(), line);
        Assert.Contains("2026.11", line);
    }

    [Fact]
    public void Same_inputs_write_the_same_bytes()
    {
        using var dir = new TempDir("iw");
        var layers = new[] { BuildLayer(dir, "base", "base\n") };
        var a = ContainerEngine.WriteImage(layers, Settings(), dir.Combine("a"), NullBuildLog.Instance);
        var b = ContainerEngine.WriteImage(layers, Settings(), dir.Combine("b"), NullBuildLog.Instance);
        Assert.Equal(a.ManifestDigest, b.ManifestDigest);
        Assert.Equal(File.ReadAllBytes(dir.Combine("a", "index.json")), File.ReadAllBytes(dir.Combine("b", "index.json")));
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Skopeo_and_umoci_accept_the_layout()
    {
        var skopeo = Tools.Require("skopeo");
        var umoci = Tools.Require("umoci");
        using var dir = new TempDir("iw");
        var layers = new[] { BuildLayer(dir, "base", "hello from the layer\n") };
        var layout = dir.Combine("image");
        var result = ContainerEngine.WriteImage(layers, Settings("1.0") with { Platform = Properties.Platform("linux/amd64") }, layout, NullBuildLog.Instance);

        var inspect = Tools.Run(skopeo, "inspect", $"oci:{layout}:1.0").EnsureSuccess("skopeo inspect");
        using (var doc = JsonDocument.Parse(inspect.StdOut))
        {
            Assert.Equal(result.ManifestDigest.ToString(), doc.RootElement.GetProperty("Digest").GetString());
            Assert.Equal(layers[0].Descriptor.Digest.ToString(), doc.RootElement.GetProperty("Layers")[0].GetString());
            Assert.Equal("amd64", doc.RootElement.GetProperty("Architecture").GetString());
        }

        var bundle = dir.Combine("bundle");
        var args = new List<string> { "unpack", "--image", $"{layout}:1.0", bundle };
        if (Environment.UserName != "root") args.Insert(1, "--rootless");
        Tools.Run(umoci, args).EnsureSuccess("umoci unpack");
        Assert.Equal("hello from the layer\n", File.ReadAllText(Path.Combine(bundle, "rootfs", "etc", "hello.txt")));
    }

    [Fact]
    public void A_new_build_collects_the_old_blobs_and_stale_temp_files()
    {
        using var dir = new TempDir("iw");
        var layout = dir.Combine("image");
        var old = ContainerEngine.WriteImage(new[] { BuildLayer(dir, "old", "old\n") }, Settings(), layout, NullBuildLog.Instance);
        var blobs = Path.Combine(layout, "blobs", "sha256");
        File.WriteAllText(Path.Combine(blobs, ".csdk-tmp-blob-killed"), "partial");
        File.WriteAllText(Path.Combine(layout, ".csdk-tmp-index.json-killed"), "partial");

        var kept = BuildLayer(dir, "new", "new\n");
        var result = ContainerEngine.WriteImage(new[] { kept }, Settings(), layout, NullBuildLog.Instance);

        var expected = new[] { result.ManifestDigest.Hex, result.ConfigDigest.Hex, kept.Descriptor.Digest.Hex }.Order(StringComparer.Ordinal);
        Assert.Equal(expected, Directory.GetFiles(blobs).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.False(File.Exists(Path.Combine(blobs, old.ManifestDigest.Hex)));
        Assert.Equal(new[] { "index.json", "oci-layout" }, Directory.GetFiles(layout).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Layer_blobs_are_hard_linked_from_the_cache()
    {
        using var dir = new TempDir("iw");
        var layer = BuildLayer(dir, "base", "base\n");
        var layout = dir.Combine("image");
        ContainerEngine.WriteImage(new[] { layer }, Settings(), layout, NullBuildLog.Instance);
        Assert.Equal(0, Mono.Unix.Native.Syscall.stat(layer.BlobPath, out var cached));
        Assert.Equal(0, Mono.Unix.Native.Syscall.stat(Path.Combine(layout, "blobs", "sha256", layer.Descriptor.Digest.Hex), out var inLayout));
        Assert.Equal(cached.st_ino, inLayout.st_ino);
        Assert.DoesNotContain(AllFiles(dir.Path), f => Path.GetFileName(f).StartsWith(".csdk-tmp-", StringComparison.Ordinal));
    }

    [Fact]
    public void Layer_blobs_are_copied_across_file_systems()
    {
        using var dir = new TempDir("iw");
        var layer = BuildLayer(dir, "base", "base\n");
        Assert.Equal(0, Mono.Unix.Native.Syscall.stat(layer.BlobPath, out var cached));
        if (Mono.Unix.Native.Syscall.stat("/dev/shm", out var shm) != 0 || shm.st_dev == cached.st_dev)
            Assert.Skip("needs /dev/shm on another file system than the temp folder, to make the hard link fail");
        var layout = Path.Combine("/dev/shm", "csdk-iw-" + Guid.NewGuid().ToString("N"));
        try
        {
            ContainerEngine.WriteImage(new[] { layer }, Settings(), layout, NullBuildLog.Instance);
            var copy = Path.Combine(layout, "blobs", "sha256", layer.Descriptor.Digest.Hex);
            Assert.Equal(File.ReadAllBytes(layer.BlobPath), File.ReadAllBytes(copy));
            Assert.DoesNotContain(AllFiles(layout), f => Path.GetFileName(f).StartsWith(".csdk-tmp-", StringComparison.Ordinal));
        }
        finally { Directory.Delete(layout, recursive: true); }
    }

    [Fact]
    public void A_killed_build_leaves_the_previous_index_intact()
    {
        // Blobs go first and index.json last: a layout where a new layer's blob is present but the index is the old
        // one must still be a complete image (every blob the index reaches exists).
        using var dir = new TempDir("iw");
        var layout = dir.Combine("image");
        var first = ContainerEngine.WriteImage(new[] { BuildLayer(dir, "a", "a\n") }, Settings(), layout, NullBuildLog.Instance);
        var writer = new OciLayoutWriter(layout);
        var other = BuildLayer(dir, "b", "b\n");
        writer.AddBlobFromFile(other.BlobPath, other.Descriptor);
        writer.AddBlob(Encoding.UTF8.GetBytes("{}"), MediaTypes.ImageConfig);
        var index = ImageIndex.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")));
        Assert.Equal(first.ManifestDigest, index.Manifests[0].Digest);
        var manifest = Manifest.Parse(File.ReadAllBytes(writer.BlobPath(first.ManifestDigest)));
        Assert.All(manifest.Layers.Append(manifest.Config), d => Assert.Equal(d.Size, new FileInfo(writer.BlobPath(d.Digest)).Length));
    }

    [Theory]
    [InlineData("Site", "latest", Codes.InvalidRepository)]
    [InlineData("site", "-bad", Codes.InvalidTag)]
    public void Invalid_names_are_user_errors(string repository, string tag, string code)
    {
        using var dir = new TempDir("iw");
        var e = Assert.Throws<ContainerSdkException>(() =>
            ContainerEngine.WriteImage(new[] { BuildLayer(dir, "a", "a\n") }, Settings(tag) with { Repository = repository }, dir.Combine("image"), NullBuildLog.Instance));
        Assert.Equal(code, e.Code);
        Assert.False(Directory.Exists(dir.Combine("image")));
    }

    [Fact]
    public void Invalid_layer_environment_names_the_item()
    {
        using var dir = new TempDir("iw");
        var e = Assert.Throws<ContainerSdkException>(() =>
            ContainerEngine.WriteImage(new[] { BuildLayer(dir, "mpi", "a\n", "PATH=${PATH") }, Settings(), dir.Combine("image"), NullBuildLog.Instance));
        Assert.Equal(Codes.InvalidEnvironment, e.Code);
        Assert.Contains("modules/mpi", e.Message);
    }
}
