using System.Text.Json.Nodes;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Tests.Layers;
using ContainerSdk.Tests;
using ContainerSdk.Tests.Images;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Outputs;
using ContainerSdk.Core.Blobs;

namespace ContainerSdk.Core.Tests.Outputs;

/// <summary>oci-archive and docker-archive outputs, read by skopeo, podman and umoci; zstd layers.</summary>
[Trait("Category", "EndToEnd")]
public class ArchiveOutputTests
{
    private static (EngineRun Run, IReadOnlyList<BuiltLayer> Layers, ImageResult Image) BuildOnUmociBase(LayerCompression compression, string prefix,
        params string[] tags)
    {
        var run = new EngineRun(prefix);
        var image = UmociBase.Create(run.Dir.Combine("base"));
        var module = Path.Combine(run.Dir.Path, "modules", "hello");
        Tree.File(module, "bin/hello", "#!/bin/sh\necho hello from the module\n", "755");
        var inputs = new[]
        {
            new LayerInput { ItemSpec = "base", Kind = LayerKind.Base, SourcePath = image.Layout, Reference = UmociBase.Tag },
            EngineRun.Module(module, "/opt/hello") with { Environment = new[] { "PATH=/opt/hello/bin:$PATH" }, Version = "1.0" },
        };
        var layers = run.Layers(inputs, epoch: 1700000000, compression: compression);
        var result = ContainerEngine.WriteImage(layers, new ImageSettings
        {
            Repository = "hpc/site", Tags = tags.Length > 0 ? tags : new[] { "2026.11", "latest" }, Epoch = 1700000000, Cmd = new[] { "hello" },
        }, run.Layout, run.Log);
        return (run, layers, result);
    }

    [Fact]
    public void An_oci_archive_goes_through_skopeo_to_a_docker_archive_and_back()
    {
        var (run, layers, image) = BuildOnUmociBase(LayerCompression.Gzip, "arco");
        using var _ = run;
        var archive = run.Dir.Combine("out", "site.oci.tar");
        ContainerEngine.WriteArchive(run.Layout, archive, "oci", "hpc/site", 1700000000, run.Work, run.Log);

        var skopeo = Tools.Require("skopeo");
        var inspect = JsonNode.Parse(Tools.Run(skopeo, "inspect", $"oci-archive:{archive}:hpc/site:2026.11").EnsureSuccess("skopeo inspect oci-archive").StdOut)!;
        Assert.Equal(image.ManifestDigest.ToString(), inspect["Digest"]!.GetValue<string>());
        Assert.Equal(layers.Select(l => l.Descriptor.Digest.ToString()), inspect["Layers"]!.AsArray().Select(l => l!.GetValue<string>()));

        var docker = run.Dir.Combine("out", "via-skopeo.docker.tar");
        Tools.Run(skopeo, "copy", $"oci-archive:{archive}:hpc/site:latest", $"docker-archive:{docker}:hpc/site:latest").EnsureSuccess("skopeo to docker-archive");
        var back = run.Dir.Combine("out", "back");
        Tools.Run(skopeo, "copy", $"docker-archive:{docker}", $"oci:{back}:again").EnsureSuccess("skopeo back to oci");
        var config = JsonNode.Parse(Tools.Run(skopeo, "inspect", "--config", $"oci:{back}:again").EnsureSuccess("inspect back").StdOut)!;
        Assert.Equal(layers.Select(l => l.DiffId.ToString()), config["rootfs"]!["diff_ids"]!.AsArray().Select(d => d!.GetValue<string>()));

        // The same inputs give the same archive, byte for byte.
        var again = run.Dir.Combine("out", "again.oci.tar");
        ContainerEngine.WriteArchive(run.Layout, again, "oci", "hpc/site", 1700000000, run.Work, run.Log);
        Assert.Equal(File.ReadAllBytes(archive), File.ReadAllBytes(again));
    }

    [Fact]
    public void An_oci_archive_of_one_tag_loads_in_podman_under_its_full_name()
    {
        var (run, _, image) = BuildOnUmociBase(LayerCompression.Gzip, "arcp", "2026.11");
        using var _ = run;
        var archive = run.Dir.Combine("out", "site.oci.tar");
        ContainerEngine.WriteArchive(run.Layout, archive, "oci", "hpc/site", 1700000000, run.Work, run.Log);
        using var podman = new Podman();
        podman.Run("load", "-i", archive).EnsureSuccess("podman load of the oci-archive");
        var inspect = JsonNode.Parse(podman.Run("image", "inspect", "localhost/hpc/site:2026.11").EnsureSuccess("podman image inspect").StdOut)!.AsArray()[0]!;
        Assert.Equal(image.ConfigDigest.Hex, inspect["Id"]!.GetValue<string>());
    }

    [Fact]
    public void A_docker_archive_loads_and_runs_in_podman_with_every_tag()
    {
        var (run, layers, image) = BuildOnUmociBase(LayerCompression.Gzip, "arcd");
        using var _ = run;
        var archive = run.Dir.Combine("out", "site.docker.tar");
        ContainerEngine.WriteArchive(run.Layout, archive, "docker", "hpc/site", 1700000000, run.Work, run.Log);

        using var podman = new Podman();
        var load = podman.Run("load", "-i", archive).EnsureSuccess("podman load");
        Assert.Contains("hpc/site:2026.11", load.StdOut + load.StdErr);
        var inspect = JsonNode.Parse(podman.Run("image", "inspect", "hpc/site:latest").EnsureSuccess("podman image inspect").StdOut)!.AsArray()[0]!;
        Assert.Equal(image.ConfigDigest.Hex, inspect["Id"]!.GetValue<string>());
        var repoTags = inspect["RepoTags"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
        Assert.Contains("localhost/hpc/site:2026.11", repoTags);
        Assert.Contains("localhost/hpc/site:latest", repoTags);
        Assert.Contains("FOO=bar", inspect["Config"]!["Env"]!.AsArray().Select(e => e!.GetValue<string>()));

        var ran = podman.Run("run", "--rm", "--network=none", "hpc/site:2026.11", "-c", "hello; cat /etc/two.txt; test ! -e /etc/gone.txt && echo whiteout-applied");
        if (ran.ExitCode != 0 && !Tools.InCi && ran.StdErr.Contains("cgroup", StringComparison.OrdinalIgnoreCase))
            Assert.Skip($"podman run cannot start a container here: {ran.StdErr}");
        ran.EnsureSuccess("podman run");
        Assert.Equal("hello from the module\nsecond layer\nwhiteout-applied\n", ran.StdOut);
    }

    [Fact]
    public void Zstd_layers_are_read_by_skopeo_and_recompressed_for_a_docker_archive()
    {
        var (run, layers, image) = BuildOnUmociBase(LayerCompression.Zstd, "arcz");
        using var _ = run;
        Assert.Equal(MediaTypes.LayerZstd, layers[2].Descriptor.MediaType);
        Assert.Equal(MediaTypes.LayerGzip, layers[0].Descriptor.MediaType); // the base's own layers are never recompressed

        var skopeo = Tools.Require("skopeo");
        var copy = run.Dir.Combine("copy");
        Tools.Run(skopeo, "copy", $"oci:{run.Layout}:latest", $"oci:{copy}:latest").EnsureSuccess("skopeo copy of a zstd image");
        var unpacked = run.Dir.Combine("unpacked");
        var umoci = Tools.Run(Tools.Require("umoci"), "unpack", "--image", $"{run.Layout}:latest", unpacked);
        // umoci 0.4.7 knows gzip and plain layers only; a later umoci unpacks zstd too.
        if (umoci.ExitCode == 0) Assert.True(File.Exists(Path.Combine(unpacked, "rootfs", "opt", "hello", "bin", "hello")));
        else Assert.Contains("zstd", umoci.StdErr, StringComparison.OrdinalIgnoreCase);

        var archive = run.Dir.Combine("out", "site.docker.tar");
        ContainerEngine.WriteArchive(run.Layout, archive, "docker", "hpc/site", 1700000000, run.Work, run.Log);
        Assert.Contains(run.Log.Warnings, w => w.Code == Codes.ZstdNotInDockerArchive);
        var back = run.Dir.Combine("back");
        Tools.Run(skopeo, "copy", $"docker-archive:{archive}", $"oci:{back}:x").EnsureSuccess("skopeo reads the docker-archive");
        var config = JsonNode.Parse(Tools.Run(skopeo, "inspect", "--config", $"oci:{back}:x").EnsureSuccess("inspect").StdOut)!;
        Assert.Equal(layers.Select(l => l.DiffId.ToString()), config["rootfs"]!["diff_ids"]!.AsArray().Select(d => d!.GetValue<string>()));
    }
}
