using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Tests;
using ContainerSdk.Core.Inputs;

namespace ContainerSdk.Core.Tests.Hostile;

/// <summary>
/// A base image (OCI layout, written by python) whose layer is hostile: its layers are reused byte for byte in the
/// image, so they must be checked like any tarball before anything is written.
/// </summary>
[Trait("Category", "EndToEnd")]
public class HostileImageLayerTests
{
    /// <summary>argv: layout folder, then the layer's entries as JSON [[name, kind, data-or-linkname], ...].</summary>
    private const string Script = """
        import gzip, hashlib, io, json, os, sys, tarfile
        out, entries = sys.argv[1], json.loads(sys.argv[2])
        os.makedirs(out + "/blobs/sha256", exist_ok=True)
        def blob(data):
            h = hashlib.sha256(data).hexdigest()
            open(out + "/blobs/sha256/" + h, "wb").write(data)
            return "sha256:" + h, len(data)
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
            for name, kind, data in entries:
                info = tarfile.TarInfo(name)
                if kind == "dir": info.type = tarfile.DIRTYPE; t.addfile(info)
                elif kind == "sym": info.type = tarfile.SYMTYPE; info.linkname = data; t.addfile(info)
                elif kind == "hard": info.type = tarfile.LNKTYPE; info.linkname = data; t.addfile(info)
                else: info.size = len(data); t.addfile(info, io.BytesIO(data.encode()))
        tar = raw.getvalue()
        ld, ls = blob(gzip.compress(tar, mtime=0))
        config = {"architecture": "amd64", "os": "linux", "config": {}, "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]}}
        cd, cs = blob(json.dumps(config).encode())
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
                    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": ld, "size": ls}]}
        md, ms = blob(json.dumps(manifest).encode())
        json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
                   "annotations": {"org.opencontainers.image.ref.name": "1"}}]}, open(out + "/index.json", "w"))
        open(out + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
        print(ld[len("sha256:"):])
        """;

    private static (string Layout, string LayerBlob) Layout(HostileRun run, string name, string entriesJson)
    {
        var layout = run.Input(name);
        var script = run.Jail.Combine(name + ".py");
        File.WriteAllText(script, Script);
        var hex = Tools.Run(Tools.Require("python3"), script, layout, entriesJson).EnsureSuccess("python3 writes the layout").StdOut.Trim();
        File.Delete(script);
        return (layout, Path.Combine(layout, "blobs", "sha256", hex));
    }

    private static LayerInput Image(string layout) =>
        new() { ItemSpec = Path.GetFileName(layout), Kind = LayerKind.Base, SourcePath = layout, Reference = "1" };

    [Theory]
    [InlineData("[[\"etc\", \"dir\", null], [\"../../escape.txt\", \"file\", \"x\"]]", Codes.EntryEscapesRoot, "escape.txt")]
    [InlineData("[[\"lib\", \"sym\", \"/etc\"], [\"lib/passwd\", \"file\", \"x\"]]", Codes.UnsafeLink, "lib/passwd")]
    [InlineData("[[\"hl\", \"hard\", \"/etc/shadow\"]]", Codes.UnsafeLink, "hl")]
    public void Hostile_image_layer_is_refused_like_a_tarball(string entries, string code, string culprit)
    {
        using var run = new HostileRun();
        var (layout, _) = Layout(run, "img", entries);
        var e = Assert.Throws<ContainerSdkException>(() => run.Build(Image(layout)));
        Assert.True(e.Code == code, $"{e.Code}: {e.Message}");
        Assert.Contains(culprit, e.Message);
        Assert.Contains("img", e.Message);
        run.AssertNothingWritten();
    }

    /// <summary>
    /// In the middle of the deflate data a flip breaks the gzip stream; in the gzip header's mtime field it decompresses
    /// to the same tar. Either way the blob's digest tells, before anything is read: the image would otherwise ship a
    /// blob (reused byte for byte) whose digest lies.
    /// </summary>
    [Theory]
    [InlineData("middle", Codes.BlobDigestMismatch)]
    [InlineData("header", Codes.BlobDigestMismatch)]
    public void Image_layer_blob_with_a_flipped_byte_is_refused(string where, string code)
    {
        using var run = new HostileRun();
        var (layout, blob) = Layout(run, "flipped", "[[\"etc\", \"dir\", null], [\"etc/passwd\", \"file\", \"root:x:0:0::/root:/bin/sh\\n\"]]");
        var bytes = File.ReadAllBytes(blob);
        bytes[where == "middle" ? bytes.Length / 2 : 5] ^= 0x20;
        File.WriteAllBytes(blob, bytes);
        var e = Assert.Throws<ContainerSdkException>(() => run.Build(Image(layout)));
        Assert.True(e.Code == code, $"{e.Code}: {e.Message}");
        Assert.Contains("flipped", e.Message);
        run.AssertNothingWritten();
    }
}
