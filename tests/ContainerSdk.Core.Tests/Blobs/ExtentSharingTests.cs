using System.Text.RegularExpressions;
using ContainerSdk.Core.Bundle;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Tests.Layers;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Blobs;

/// <summary>
/// On XFS with reflink (RHEL's default), a layer rebuilt after one file changed shares the extents of every segment it
/// copies out of its last blob, and the bundle shares those of the layer blobs: the copies cost no data written and no
/// disk space. The bytes are the same as on any other file system.
/// </summary>
public sealed class ExtentSharingTests
{
    [Trait("Category", "EndToEnd")]
    [Fact]
    public void A_rebuild_after_one_change_on_XFS_shares_the_unchanged_segments_extents()
    {
        Tools.RequireRoot("mounting a loop XFS file system");
        var mkfs = Tools.Require("mkfs.xfs");
        var filefrag = Tools.Require("filefrag");
        using var dir = new TempDir("xfs");
        var module = dir.Combine("suite");
        var random = new Random(3);
        var bytes = new byte[1 << 20];
        for (int i = 0; i < 40; i++)
        {
            random.NextBytes(bytes);
            File.WriteAllBytes(Tree.File(module, $"lib/part{i:D2}.bin", ""), bytes);
        }
        Tree.File(module, "share/readme.txt", "version 1\n");
        var inputs = new[] { EngineRun.Base(Tree.Rootfs(dir.Combine("rootfs"))), EngineRun.Module(module, "/opt/suite") };

        var image = dir.Combine("xfs.img");
        using (var sparse = File.Create(image)) sparse.SetLength(1L << 30);
        Tools.Run(mkfs, "-q", "-m", "reflink=1", image).EnsureSuccess("mkfs.xfs");
        var mount = dir.Combine("mnt");
        Directory.CreateDirectory(mount);
        Tools.Run("mount", "-o", "loop", image, mount).EnsureSuccess("mount -o loop");
        try
        {
            // The last blob's blocks, read before the rebuild: the cache's bound may evict that blob once the new one is
            // written, and its blocks stay the new blob's if they were cloned, not copied.
            var last = Blocks(filefrag, Build(mount, inputs)[1].BlobPath);
            Tree.File(module, "share/readme.txt", "version 2, changed\n");
            var layers = Build(mount, inputs);
            Assert.Equal(1, layers.CountFrom(LayerOrigin.Built));
            var blob = layers[1];
            Assert.True(blob.Descriptor.Size > 30 << 20);
            // Everything but the last segment (the changed file's) lies on the last blob's blocks.
            Assert.InRange(Common(Blocks(filefrag, blob.BlobPath), last) * 4096L, blob.Descriptor.Size * 6 / 10, blob.Descriptor.Size);
            // And the bundle on the blocks of the layer blobs and of the segments it keeps of its own (those that no layer holds whole).
            var bundle = Path.Combine(mount, "bin", "site.tar.gz");
            var held = layers.Select(l => l.BlobPath).Concat(Directory.EnumerateFiles(Path.Combine(mount, "obj", "bundle"), "*.gz"))
                .SelectMany(f => Blocks(filefrag, f)).ToList();
            Assert.InRange(Common(Blocks(filefrag, bundle), held) * 4096L, new FileInfo(bundle).Length * 9 / 10, new FileInfo(bundle).Length);

            // The bytes do not depend on the file system: a cold build elsewhere gives the same layer.
            var cold = Build(dir.Combine("elsewhere"), inputs);
            Assert.Equal(cold[1].Descriptor.Digest, blob.Descriptor.Digest);
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Combine("elsewhere"), "bin", "site.tar.gz")), File.ReadAllBytes(bundle));
        }
        finally
        {
            if (Tools.Run("umount", mount).ExitCode != 0) Tools.Run("umount", "-l", mount);
        }
    }

    private static LayersResult Build(string root, IReadOnlyList<LayerInput> inputs)
    {
        var log = new RecordingLog();
        var bundle = Path.Combine(root, "bin", "site.tar.gz");
        var layers = ContainerEngine.BuildLayers(EngineRun.Validate(inputs), Array.Empty<AclFileRequest>(), new LayerBuildOptions { WorkDirectory = Path.Combine(root, "obj") }, log,
            TestContext.Current.CancellationToken, new BundleOutput(bundle, Path.ChangeExtension(bundle, ".acl")));
        ContainerEngine.WriteImage(layers, new ImageSettings { Repository = "site", Tags = new[] { "1" } }, Path.Combine(root, "bin", "image"), log, Path.Combine(root, "obj"));
        return layers;
    }

    /// <summary>The physical block ranges (first, count) of a file's extents, as <c>filefrag -v</c> lists them in 4 KiB blocks.</summary>
    private static List<(long First, long Count)> Blocks(string filefrag, string file)
    {
        var output = Tools.Run(filefrag, "-v", "-b4096", file).EnsureSuccess("filefrag -v").StdOut;
        return Regex.Matches(output, @"^\s*\d+:\s+\d+\.\.\s*\d+:\s+(\d+)\.\.\s*\d+:\s+(\d+):", RegexOptions.Multiline)
            .Select(m => (long.Parse(m.Groups[1].Value), long.Parse(m.Groups[2].Value))).ToList();
    }

    /// <summary>How many blocks of <paramref name="a"/> are also blocks of <paramref name="b"/>: extents the two files share.</summary>
    private static long Common(List<(long First, long Count)> a, List<(long First, long Count)> b) =>
        a.Sum(x => b.Sum(y => Math.Max(0, Math.Min(x.First + x.Count, y.First + y.Count) - Math.Max(x.First, y.First))));
}
