using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Images;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Tests.Layers;
using ContainerSdk.Tests;
using ContainerSdk.Tests.Images;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Inputs;

namespace ContainerSdk.Core.Tests.Images;

/// <summary>Which tarballs are images and which are root filesystems; the legacy docker save layout (gzip'd).</summary>
[Trait("Category", "EndToEnd")]
public class ImageArchiveProbeTests
{
    [Fact]
    public void A_root_filesystem_tarball_stays_a_root_filesystem()
    {
        using var dir = new TempDir("probe");
        var rootfs = Tree.Rootfs(dir.Combine("rootfs"));
        Tree.File(rootfs, "manifest.json", "{}"); // a file by that name in a rootfs does not make it an image
        var tarball = dir.Combine("rootfs.tar.gz");
        Tools.Run(Tools.Require("tar"), "-czf", tarball, "-C", rootfs, ".").EnsureSuccess("tar");
        Assert.False(new ImageArchiveSource().Recognizes(tarball, "rootfs.tar.gz"));
    }

    [Fact]
    public void A_legacy_docker_save_archive_gzip_compressed_with_linked_layers_is_an_image()
    {
        using var run = new EngineRun("probel");
        var image = UmociBase.Create(run.Dir.Combine("base")).WithArchives();
        // Rewrite skopeo's docker-archive the way docker save wrote it before Docker 25: <id>/layer.tar per layer,
        // <id>/VERSION and <id>/json, a duplicate layer as a symbolic link to the first, and the whole thing gzip'd.
        var legacy = run.Dir.Combine("legacy");
        Directory.CreateDirectory(legacy);
        var script = """
            import json, os, sys, tarfile, gzip, io
            src, dst = sys.argv[1], sys.argv[2]
            with tarfile.open(src) as t:
                manifest = json.load(t.extractfile("manifest.json"))
                m = manifest[0]
                out = tarfile.open(dst, "w:gz")
                def add(name, data):
                    info = tarfile.TarInfo(name); info.size = len(data); out.addfile(info, io.BytesIO(data))
                layers = []
                for i, layer in enumerate(m["Layers"]):
                    lid = ("%064x" % (i + 1))
                    d = tarfile.TarInfo(lid); d.type = tarfile.DIRTYPE; d.mode = 0o755; out.addfile(d)
                    add(lid + "/VERSION", b"1.0")
                    add(lid + "/json", b"{}")
                    add(lid + "/layer.tar", t.extractfile(layer).read())
                    layers.append(lid + "/layer.tar")
                # A third entry naming the first layer again through a link, as docker save does for shared layers.
                lid = "%064x" % 99
                d = tarfile.TarInfo(lid); d.type = tarfile.DIRTYPE; d.mode = 0o755; out.addfile(d)
                link = tarfile.TarInfo(lid + "/layer.tar"); link.type = tarfile.SYMTYPE; link.linkname = "../" + layers[0]; out.addfile(link)
                add(m["Config"], t.extractfile(m["Config"]).read())
                m["Layers"] = [lid + "/layer.tar", layers[1]]
                add("manifest.json", json.dumps(manifest).encode())
                add("repositories", b"{}")
                out.close()
            """;
        var py = Path.Combine(legacy, "legacy.py");
        File.WriteAllText(py, script);
        var archive = Path.Combine(legacy, "base.tar.gz");
        Tools.Run(Tools.Require("python3"), py, image.DockerArchive, archive).EnsureSuccess("python3 legacy docker archive");

        Assert.True(new ImageArchiveSource().Recognizes(archive, "base.tar.gz"));
        var input = new LayerInput { ItemSpec = "base.tar.gz", Kind = LayerKind.Base, SourcePath = archive };
        var (layers, _) = run.Build(new[] { input });
        using var reference = new EngineRun("probelr");
        reference.Build(new[] { new LayerInput { ItemSpec = "layout", Kind = LayerKind.Base, SourcePath = image.Layout, Reference = UmociBase.Tag } });
        Assert.Equal(File.ReadAllBytes(reference.Bundle), File.ReadAllBytes(run.Bundle));
        Assert.All(layers, l => Assert.Equal(MediaTypes.LayerTar, l.Descriptor.MediaType));

        // Resolved once: a second build takes the archive's resolution from the work folder (the archive, unchanged,
        // is known by the stat cache) and gives the same layers; the record names the blobs it copied out.
        Assert.Single(Directory.GetFiles(Path.Combine(run.Work, "images"), "*.resolved.json"));
        var again = run.Layers(new[] { input });
        Assert.Equal(layers.Select(l => (l.Descriptor, l.DiffId, l.BlobPath)), again.Select(l => (l.Descriptor, l.DiffId, l.BlobPath)));
        // A cleaned blob store is noticed: the archive is read again and the blobs copied out again.
        foreach (var l in layers) File.Delete(l.BlobPath);
        var rebuilt = run.Layers(new[] { input });
        Assert.All(rebuilt, l => Assert.True(File.Exists(l.BlobPath)));
    }
}
