using System.Text.Json.Nodes;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Tests.Layers;
using ContainerSdk.Tests;
using ContainerSdk.Tests.Images;
using ContainerSdk.Core.Inputs;

namespace ContainerSdk.Core.Tests.Images;

/// <summary>An image made by umoci (and copied to archives by skopeo) as the BaseLayer, checked with skopeo and umoci.</summary>
[Trait("Category", "EndToEnd")]
public class BaseImageTests
{
    private static LayerInput ImageBase(string path, string? reference = UmociBase.Tag) =>
        new() { ItemSpec = Path.GetFileName(path), Kind = LayerKind.Base, SourcePath = path, Reference = reference, Environment = new[] { "SITE=$FOO/x", "TRAIL=${TRAIL}x" } };

    private static string ModuleTree(EngineRun run)
    {
        var module = Path.Combine(run.Dir.Path, "modules", "tool-1.2");
        Tree.File(module, "bin/tool", "#!/bin/sh\necho tool\n", "755");
        Tree.File(module, "share/doc.txt", "doc\n");
        return module;
    }

    private static LayerInput Module(string path) => EngineRun.Module(path, "/opt/tool") with
    {
        Environment = new[] { "PATH=/opt/tool/bin:$PATH", "TOOL_HOME=/opt/tool", "FROM_BASE=$FOO" },
        Version = "1.2",
        License = "MIT",
        Owner = "svc",
        Group = "licensed",
    };

    private static Manifest ReadManifest(string layout)
    {
        var index = ImageIndex.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")));
        return Manifest.Parse(File.ReadAllBytes(Path.Combine(layout, "blobs", "sha256", index.Manifests[0].Digest.Hex)));
    }

    [Fact]
    public void A_umoci_layout_is_a_base_whose_layers_and_config_the_image_keeps()
    {
        using var run = new EngineRun("img");
        var image = UmociBase.Create(run.Dir.Combine("base"));
        var baseManifest = ReadManifest(image.Layout);
        var (layers, result) = run.Build(new[] { ImageBase(image.Layout), Module(ModuleTree(run)) });

        Assert.Equal(3, layers.Count);
        var manifest = ReadManifest(run.Layout);
        Assert.Equal(baseManifest.Layers.Select(l => (l.Digest, l.Size)), manifest.Layers.Take(2).Select(l => (l.Digest, l.Size)));
        foreach (var layer in baseManifest.Layers)
            Assert.Equal(File.ReadAllBytes(Path.Combine(image.Layout, "blobs", "sha256", layer.Digest.Hex)),
                File.ReadAllBytes(Path.Combine(run.Layout, "blobs", "sha256", layer.Digest.Hex)));

        var inspect = JsonNode.Parse(Tools.Run(Tools.Require("skopeo"), "inspect", $"oci:{run.Layout}:1.0").EnsureSuccess("skopeo inspect").StdOut)!;
        var env = inspect["Env"]!.AsArray().Select(e => e!.GetValue<string>()).ToList();
        Assert.Contains("FOO=bar", env);
        Assert.Contains("TOOL_HOME=/opt/tool", env);
        Assert.Contains("FROM_BASE=bar", env);
        Assert.Contains("SITE=bar/x", env); // the image item's own Environment, over the image's Env
        Assert.Contains("TRAIL=x", env); // applied once, not once per image layer
        Assert.Contains("PATH=/opt/tool/bin", env); // the base sets no PATH: "/opt/tool/bin:$PATH" leaves no empty entry
        var labels = inspect["Labels"]!.AsObject();
        Assert.Equal("yes", labels["org.example.base"]!.GetValue<string>());
        Assert.Equal("tool-1.2", labels["io.containersdk.module.1.name"]!.GetValue<string>());
        Assert.Equal("1.2", labels["io.containersdk.module.1.version"]!.GetValue<string>());
        Assert.Equal("MIT", labels["io.containersdk.module.1.license"]!.GetValue<string>());
        Assert.Equal(layers[2].Descriptor.Digest.ToString(), labels["io.containersdk.module.1.layer"]!.GetValue<string>());

        var config = ImageConfig.Parse(File.ReadAllBytes(Path.Combine(run.Layout, "blobs", "sha256", result.ConfigDigest.Hex)));
        Assert.Equal(new[] { "/bin/sh" }, config.Config.Entrypoint);
        var baseConfig = ImageConfig.Parse(File.ReadAllBytes(Path.Combine(image.Layout, "blobs", "sha256", baseManifest.Config.Digest.Hex)));
        Assert.Equal(baseConfig.History.Count + 1, config.History.Count);
        Assert.Equal(baseConfig.History, config.History.Take(baseConfig.History.Count));
        Assert.Equal("ContainerSdk Module tool-1.2 -> /opt/tool", config.History[^1].CreatedBy);
        Assert.Equal(baseConfig.DiffIds, config.DiffIds.Take(2));

        Assert.Equal(ImageIndex.Parse(File.ReadAllBytes(Path.Combine(image.Layout, "index.json"))).Manifests[0].Digest.ToString(),
            manifest.Annotations![Annotations.BaseDigest]);
        Assert.Equal(UmociBase.Tag, manifest.Annotations[Annotations.BaseName]);
        Assert.Equal("tool-1.2", manifest.Annotations["io.containersdk.module.1.name"]);

        // Owner names resolved in the base image's own /etc/passwd and /etc/group.
        var bundleRoot = run.Dir.Combine("bundle");
        TreeCompare.Extract(run.Bundle, bundleRoot);
        Assert.Contains("bin/tool|f|755|4100:4200|", TreeCompare.Describe(bundleRoot).Single(l => l.StartsWith("opt/tool/bin/tool|", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_bundle_of_an_image_based_build_is_what_umoci_unpacks_whiteouts_included()
    {
        using var run = new EngineRun("imgb");
        var image = UmociBase.Create(run.Dir.Combine("base"));
        run.Build(new[] { ImageBase(image.Layout), Module(ModuleTree(run)) });

        var bundleRoot = run.Dir.Combine("bundle");
        TreeCompare.Extract(run.Bundle, bundleRoot);
        var unpacked = run.Dir.Combine("unpacked");
        Tools.Run(Tools.Require("umoci"), "unpack", "--image", $"{run.Layout}:1.0", unpacked).EnsureSuccess("umoci unpack");

        Assert.False(File.Exists(Path.Combine(bundleRoot, "etc", "gone.txt")));
        Assert.True(File.Exists(Path.Combine(bundleRoot, "etc", "two.txt")));
        Assert.DoesNotContain(TreeCompare.Describe(bundleRoot), l => l.Contains(".wh.", StringComparison.Ordinal));
        TreeCompare.AssertSame(Path.Combine(unpacked, "rootfs"), bundleRoot);
    }

    [Fact]
    public void Oci_and_docker_archives_made_by_skopeo_are_bases_that_flatten_to_the_same_tree()
    {
        using var run = new EngineRun("imga");
        var image = UmociBase.Create(run.Dir.Combine("base")).WithArchives();
        var module = ModuleTree(run);
        var baseConfigDiffIds = ImageConfig.Parse(File.ReadAllBytes(Path.Combine(image.Layout, "blobs", "sha256",
            ReadManifest(image.Layout).Config.Digest.Hex))).DiffIds;

        var bundles = new List<byte[]>();
        foreach (var (source, reference) in new[] { (image.Layout, UmociBase.Tag), (image.OciArchive, UmociBase.Tag), (image.DockerArchive, (string?)null) })
        {
            using var each = new EngineRun("imgx");
            var (layers, result) = each.Build(new[] { ImageBase(source, reference), Module(module) });
            Assert.Equal(baseConfigDiffIds, layers.Take(2).Select(l => l.DiffId));
            Assert.All(layers.Take(2), l => Assert.NotNull(l.FromImage));
            // The layout is complete and valid: skopeo reads every blob of it.
            Tools.Run(Tools.Require("skopeo"), "copy", $"oci:{each.Layout}:1.0", $"dir:{each.Dir.Combine("copy")}").EnsureSuccess($"skopeo copy of the build on {source}");
            var config = ImageConfig.Parse(File.ReadAllBytes(Path.Combine(each.Layout, "blobs", "sha256", result.ConfigDigest.Hex)));
            Assert.Contains("FOO=bar", config.Config.Env);
            bundles.Add(File.ReadAllBytes(each.Bundle));
        }
        Assert.Equal(bundles[0], bundles[1]);
        Assert.Equal(bundles[0], bundles[2]);
    }

    [Fact]
    public void A_base_with_zstd_layers_flattens_like_the_gzip_one()
    {
        using var run = new EngineRun("imgz");
        var image = UmociBase.Create(run.Dir.Combine("base"));
        var skopeo = Tools.Require("skopeo");
        var zstd = run.Dir.Combine("zstd");
        Tools.Run(skopeo, "copy", "--dest-compress", "--dest-compress-format", "zstd", $"oci:{image.Layout}:{UmociBase.Tag}", $"oci:{zstd}:{UmociBase.Tag}").EnsureSuccess("skopeo copy to zstd");
        // (Plain tar layers: the docker-archive skopeo writes has them, see A_docker_archive_base_is_copied_out_once_and_checked.)

        var bundles = new List<byte[]>();
        foreach (var (source, mediaType) in new[] { (image.Layout, MediaTypes.LayerGzip), (zstd, MediaTypes.LayerZstd) })
        {
            using var each = new EngineRun("imgzx");
            var (layers, _) = each.Build(new[] { ImageBase(source) });
            Assert.All(layers, l => Assert.Equal(mediaType, l.Descriptor.MediaType));
            Assert.Equal(ReadManifest(source).Layers.Select(l => l.Digest), ReadManifest(each.Layout).Layers.Select(l => l.Digest));
            bundles.Add(File.ReadAllBytes(each.Bundle));
        }
        Assert.Equal(bundles[0], bundles[1]);
    }

    [Fact]
    public void A_docker_archive_base_is_copied_out_once_and_checked()
    {
        using var run = new EngineRun("imgd");
        var image = UmociBase.Create(run.Dir.Combine("base")).WithArchives();
        var first = run.Layers(new[] { ImageBase(image.DockerArchive, "example/base:base") });
        var second = run.Layers(new[] { ImageBase(image.DockerArchive, "base") });
        Assert.Equal(first.Select(l => l.Descriptor), second.Select(l => l.Descriptor));
        Assert.All(first, l => Assert.StartsWith(Path.Combine(run.Work, "blobs", "sha256"), l.BlobPath));
        Assert.All(first, l => Assert.Equal(l.DiffId, l.Descriptor.Digest)); // skopeo writes plain tars into a docker-archive

        var missing = Assert.Throws<ContainerSdkException>(() => run.Layers(new[] { ImageBase(image.DockerArchive, "nope") }));
        Assert.Equal(Codes.ImageReferenceNotFound, missing.Code);
        Assert.Contains("example/base:base", missing.Message);
    }

    [Fact]
    public void A_multi_platform_index_gives_the_image_of_ContainerPlatform()
    {
        using var run = new EngineRun("imgp");
        var image = UmociBase.Create(run.Dir.Combine("base"));
        // Wrap the image in a nested two-platform index, as a registry's multi-arch image is; the arm64 entry is never read.
        var indexPath = Path.Combine(image.Layout, "index.json");
        var top = ImageIndex.Parse(File.ReadAllBytes(indexPath));
        var amd64 = top.Manifests[0] with { Annotations = null, Platform = new Platform("linux", "amd64") };
        var arm64 = new Descriptor(MediaTypes.ImageManifest, Digest.Compute(new byte[] { 1 }), 1) { Platform = new Platform("linux", "arm64", "v8") };
        var nested = new ImageIndex { Manifests = new[] { arm64, amd64 } }.ToJson();
        var nestedDigest = Digest.Compute(nested);
        File.WriteAllBytes(Path.Combine(image.Layout, "blobs", "sha256", nestedDigest.Hex), nested);
        File.WriteAllBytes(indexPath, new ImageIndex
        {
            Manifests = new[] { new Descriptor(MediaTypes.ImageIndex, nestedDigest, nested.Length) { Annotations = new Dictionary<string, string> { [ImageIndex.RefNameAnnotation] = "multi" } } },
        }.ToJson());

        LayerBuildOptions Options(string platform) => new() { WorkDirectory = run.Work, Platform = Properties.Platform(platform) };
        var layers = ContainerEngine.BuildLayers(EngineRun.Validate(new[] { ImageBase(image.Layout, "multi") }), Array.Empty<AclFileRequest>(), Options("linux/amd64"), run.Log, TestContext.Current.CancellationToken);
        Assert.Equal(2, layers.Count);
        Assert.Equal(amd64.Digest.ToString(), layers[0].FromImage!.ManifestDigest);

        var wrong = Assert.Throws<ContainerSdkException>(() =>
            ContainerEngine.BuildLayers(EngineRun.Validate(new[] { ImageBase(image.Layout, "multi") }), Array.Empty<AclFileRequest>(), Options("linux/s390x"), run.Log, TestContext.Current.CancellationToken));
        Assert.Equal(Codes.ImagePlatformNotFound, wrong.Code);
        Assert.Contains("linux/arm64/v8", wrong.Message);

        Assert.DoesNotContain(run.Log.Warnings, w => w.Code == Codes.BasePlatformMismatch);
        var noTag = Assert.Throws<ContainerSdkException>(() =>
            ContainerEngine.BuildLayers(EngineRun.Validate(new[] { ImageBase(image.Layout, "other") }), Array.Empty<AclFileRequest>(), Options("linux/amd64"), run.Log, TestContext.Current.CancellationToken));
        Assert.Equal(Codes.ImageReferenceNotFound, noTag.Code);
    }

    [Fact]
    public void A_damaged_blob_in_an_archive_is_refused()
    {
        using var run = new EngineRun("imgc");
        var image = UmociBase.Create(run.Dir.Combine("base")).WithArchives();
        // Flip one byte inside the first layer blob of the oci-archive (the blob's size stays right, its digest not).
        var blob = ReadManifest(image.Layout).Layers[0].Digest.Hex;
        var bytes = File.ReadAllBytes(image.OciArchive);
        var name = System.Text.Encoding.ASCII.GetBytes("blobs/sha256/" + blob);
        int at = bytes.AsSpan().IndexOf(name);
        Assert.True(at >= 0);
        int data = at - at % 512 + 512 + 100; // within the entry's data, past the gzip header
        bytes[data] ^= 0xFF;
        File.WriteAllBytes(image.OciArchive, bytes);

        var e = Assert.Throws<ContainerSdkException>(() => run.Layers(new[] { ImageBase(image.OciArchive) }));
        Assert.Equal(Codes.BlobDigestMismatch, e.Code);
    }

    [Fact]
    public void An_acl_on_a_path_only_the_base_image_has_is_a_coded_error_and_on_a_module_path_works()
    {
        using var run = new EngineRun("imgacl");
        var image = UmociBase.Create(run.Dir.Combine("base"));
        var module = ModuleTree(run);
        var onBase = Tree.File(run.Dir.Path, "acl/base.acl", "# file: etc/two.txt\nuser::rw-\nuser:svc:r--\ngroup::r--\nmask::r--\nother::---\n");
        var options = new LayerBuildOptions { WorkDirectory = run.Work };
        var e = Assert.Throws<ContainerSdkException>(() => ContainerEngine.BuildLayers(EngineRun.Validate(new[] { ImageBase(image.Layout), Module(module) }),
            new[] { LayerInputs.Validate(new AclFileInput(onBase)) }, options, run.Log, TestContext.Current.CancellationToken));
        Assert.Equal(Codes.AclOnBaseImage, e.Code);
        Assert.Equal(1, e.Line); // the entry's "# file:" line

        var onModule = Tree.File(run.Dir.Path, "acl/module.acl", "# file: opt/tool/share/doc.txt\nuser::rw-\nuser:svc:r--\ngroup::r--\nmask::r--\nother::---\n");
        var layers = ContainerEngine.BuildLayers(EngineRun.Validate(new[] { ImageBase(image.Layout), Module(module) }), new[] { LayerInputs.Validate(new AclFileInput(onModule)) }, options, run.Log, TestContext.Current.CancellationToken);
        Assert.Equal(3, layers.Count);
    }

    [Fact]
    public void A_single_platform_base_for_another_platform_is_a_warning()
    {
        using var run = new EngineRun("imgw");
        var image = UmociBase.Create(run.Dir.Combine("base"));
        var options = new LayerBuildOptions { WorkDirectory = run.Work, Platform = Properties.Platform("linux/arm64") };
        var layers = ContainerEngine.BuildLayers(EngineRun.Validate(new[] { ImageBase(image.Layout) }), Array.Empty<AclFileRequest>(), options, run.Log, TestContext.Current.CancellationToken);
        Assert.Equal(2, layers.Count);
        var warning = Assert.Single(run.Log.Warnings, w => w.Code == Codes.BasePlatformMismatch);
        Assert.Contains("linux/amd64", warning.Message);
    }

    /// <summary>An OCI layout written by python (tarfile, gzip, hashlib): layer 2 empties /d with an opaque whiteout.</summary>
    private const string OpaqueLayoutScript = """
        import gzip, hashlib, io, json, os, sys, tarfile
        out = sys.argv[1]
        os.makedirs(out + "/blobs/sha256", exist_ok=True)
        def blob(data):
            h = hashlib.sha256(data).hexdigest()
            open(out + "/blobs/sha256/" + h, "wb").write(data)
            return "sha256:" + h, len(data)
        def layer(entries):
            raw = io.BytesIO()
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
                for name, kind, data in entries:
                    info = tarfile.TarInfo(name)
                    if kind == "dir":
                        info.type = tarfile.DIRTYPE; info.mode = 0o755
                        t.addfile(info)
                    else:
                        info.size = len(data); info.mode = 0o640; info.uid = 7; info.gid = 8
                        t.addfile(info, io.BytesIO(data))
            tar = raw.getvalue()
            digest, size = blob(gzip.compress(tar, mtime=0))
            return {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest, "size": size}, "sha256:" + hashlib.sha256(tar).hexdigest()
        l1, d1 = layer([("d", "dir", None), ("d/a", "file", b"a"), ("d/sub", "dir", None), ("d/sub/b", "file", b"b"), ("keep", "file", b"k")])
        l2, d2 = layer([("d", "dir", None), ("d/.wh..wh..opq", "file", b""), ("d/c", "file", b"c")])
        config = {"architecture": "amd64", "os": "linux", "config": {"Env": ["PATH=/bin"]}, "rootfs": {"type": "layers", "diff_ids": [d1, d2]}}
        cd, cs = blob(json.dumps(config).encode())
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs}, "layers": [l1, l2]}
        md, ms = blob(json.dumps(manifest).encode())
        json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
                   "annotations": {"org.opencontainers.image.ref.name": "opq"}}]}, open(out + "/index.json", "w"))
        open(out + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
        """;

    [Fact]
    public void An_opaque_whiteout_in_a_base_layer_empties_the_folder_in_the_bundle_as_umoci_does()
    {
        using var run = new EngineRun("imgo");
        var layout = run.Dir.Combine("opq");
        var script = run.Dir.Combine("opq.py");
        File.WriteAllText(script, OpaqueLayoutScript);
        Tools.Run(Tools.Require("python3"), script, layout).EnsureSuccess("python3 writes the layout");
        Tools.RequireRoot("umoci unpack keeps owners only as root");

        run.Build(new[] { ImageBase(layout, "opq") });
        var bundleRoot = run.Dir.Combine("bundle");
        TreeCompare.Extract(run.Bundle, bundleRoot);
        var unpacked = run.Dir.Combine("unpacked");
        Tools.Run(Tools.Require("umoci"), "unpack", "--image", $"{run.Layout}:1.0", unpacked).EnsureSuccess("umoci unpack");

        Assert.Equal(new[] { "c" }, Directory.GetFileSystemEntries(Path.Combine(bundleRoot, "d")).Select(Path.GetFileName));
        Assert.True(File.Exists(Path.Combine(bundleRoot, "keep")));
        TreeCompare.AssertSame(Path.Combine(unpacked, "rootfs"), bundleRoot);
    }
}
