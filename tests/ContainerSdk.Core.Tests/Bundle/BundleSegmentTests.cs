using ContainerSdk.Core.Tests.Layers;
using System.Text.RegularExpressions;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Bundle;

/// <summary>A bundle of several segments: assembled correctly, and mostly reused when one file changes.</summary>
[Trait("Category", "EndToEnd")]
public class BundleSegmentTests
{
    [Fact]
    public void A_bundle_of_many_segments_holds_the_flattened_tree_and_recompresses_only_what_changed()
    {
        using var run = new EngineRun("seg");
        var rootfs = Tree.Rootfs(run.Dir.Combine("base"));
        var mod = run.Dir.Combine("mod");
        var random = new Random(7);
        var text = new char[6000];
        for (int i = 0; i < 3000; i++)
        {
            for (int j = 0; j < text.Length; j++) text[j] = (char)('a' + random.Next(26));
            Tree.File(mod, $"d{i % 30}/f{i:D4}.txt", new string(text));
        }
        var inputs = new[] { EngineRun.Base(rootfs), EngineRun.Module(mod, "/opt/m") };
        var layers = run.Layers(inputs, bundle: true);
        var first = Assert.Single(run.Log.Infos, l => l.StartsWith("Bundle "));
        int total = int.Parse(Regex.Match(first, @"0 of (\d+) segments").Groups[1].Value);
        Assert.True(total >= 3, first);
        AssertSameTree(run, layers);

        Tree.File(mod, "d7/f0007.txt", "changed");
        run.Log.Infos.Clear();
        layers = run.Layers(inputs, bundle: true);
        var second = Assert.Single(run.Log.Infos, l => l.StartsWith("Bundle "));
        // Only the segments holding the changed file are compressed: the others come from the cache or the layer blobs.
        var m = Regex.Match(second, @"(\d+) of (\d+) segments reused, (\d+) copied from the layers");
        Assert.True(int.Parse(m.Groups[2].Value) - int.Parse(m.Groups[1].Value) - int.Parse(m.Groups[3].Value) <= 2, second);
        AssertSameTree(run, layers);
    }

    [Fact]
    public void A_bundle_made_of_the_layers_compressed_bytes_is_byte_for_byte_the_one_compressed_anew()
    {
        using var run = new EngineRun("segcopy");
        var rootfs = Tree.Rootfs(run.Dir.Combine("base"));
        var random = new Random(11);
        var inputs = new List<ContainerSdk.Core.Inputs.LayerInput> { EngineRun.Base(rootfs) };
        foreach (var name in new[] { "a", "b", "c" })
        {
            var mod = run.Dir.Combine(name);
            var text = new char[9000];
            for (int i = 0; i < 700; i++)
            {
                for (int j = 0; j < text.Length; j++) text[j] = (char)('a' + random.Next(20));
                Tree.File(mod, $"share/d{i % 9}/f{i:D4}.txt", new string(text, 0, 500 + random.Next(text.Length - 500)));
            }
            var noise = new byte[3 << 20];
            random.NextBytes(noise);
            Directory.CreateDirectory(Path.Combine(mod, "lib"));
            File.WriteAllBytes(Path.Combine(mod, "lib", "blob.so"), noise);
            inputs.Add(EngineRun.Module(mod, "/opt/" + name));
        }

        var layers = run.Layers(inputs, bundle: true);
        var first = Assert.Single(run.Log.Infos, l => l.StartsWith("Bundle "));
        int total = int.Parse(Regex.Match(first, @" of (\d+) segments").Groups[1].Value);
        int copied = int.Parse(Regex.Match(first, @"(\d+) copied from the layers").Groups[1].Value);
        // Each module's stream meets the flattened one at a boundary after a segment or two.
        Assert.True(total >= 9 && copied >= total / 2, first);
        var fromLayers = File.ReadAllBytes(run.Bundle);
        AssertSameTree(run, layers);
        Tools.Run("tar", "-tzf", run.Bundle).EnsureSuccess("tar -t");

        // The same bundle with nothing to copy from: every segment compressed from the files.
        Directory.Delete(Path.Combine(run.Work, "cache", "segments"), recursive: true);
        Directory.Delete(Path.Combine(run.Work, "bundle"), recursive: true);
        File.Delete(run.Bundle);
        run.Log.Infos.Clear();
        run.Layers(inputs, bundle: true);
        var second = Assert.Single(run.Log.Infos, l => l.StartsWith("Bundle "));
        Assert.Contains(" 0 copied from the layers", second);
        Assert.Equal(fromLayers, File.ReadAllBytes(run.Bundle));
    }

    private static void AssertSameTree(EngineRun run, IReadOnlyList<ContainerSdk.Core.Layers.BuiltLayer> layers)
    {
        string applied = run.Dir.Combine("applied-" + Guid.NewGuid().ToString("N")[..6]), extracted = applied + "-bundle";
        Directory.CreateDirectory(applied);
        Directory.CreateDirectory(extracted);
        foreach (var layer in layers) Tools.Run("tar", "--numeric-owner", "-xpzf", layer.BlobPath, "-C", applied).EnsureSuccess("apply layer");
        Tools.Run("tar", "--numeric-owner", "-xpzf", run.Bundle, "-C", extracted).EnsureSuccess("extract bundle");
        Tools.Run("gzip", "-t", run.Bundle).EnsureSuccess("gzip -t");
        var diff = Tools.Run("diff", "-r", "--no-dereference", applied, extracted);
        Assert.True(diff.ExitCode == 0, diff.StdOut + diff.StdErr);
    }
}
