using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Images;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Outputs;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Outputs;

/// <summary>
/// One image model: the image a build composes, the image read back from the layout it wrote and the image a base
/// item opens from that layout are the same image, read by the one layout reader; every writer says what it wrote.
/// </summary>
public class ImageModelTests
{
    private static (TempDir Dir, BuiltImage Composed, ImageWriteResult Written, string Layout) WriteLayout(string prefix)
    {
        var dir = new TempDir(prefix);
        var layers = new[] { ImageWriterTests.BuildLayer(dir, "base", "base\n"), ImageWriterTests.BuildLayer(dir, "mpi", "mpi\n", "MPI_HOME=/opt/mpi") };
        var image = ImageComposer.Compose(layers, ImageWriterTests.Settings(), NullBuildLog.Instance);
        var layout = dir.Combine("image");
        var written = Composition.LayoutWriter.Write(image, layout, new ImageWriteContext(0, dir.Path, NullBuildLog.Instance));
        return (dir, image, written, layout);
    }

    private static void AssertSameImage(IImage expected, IImage actual)
    {
        Assert.Equal(expected.ManifestDescriptor!.Digest, actual.ManifestDescriptor!.Digest);
        Assert.Equal(expected.ManifestDescriptor.MediaType, actual.ManifestDescriptor.MediaType);
        Assert.Equal(expected.ManifestJson, actual.ManifestJson);
        Assert.Equal(expected.ConfigJson, actual.ConfigJson);
        Assert.Equal(expected.Config.DiffIds, actual.Config.DiffIds);
        Assert.Equal(expected.Layers, actual.Layers);
        for (int i = 0; i < expected.Layers.Count; i++)
        {
            using var a = expected.OpenBlob(i);
            using var b = actual.OpenBlob(i);
            Assert.Equal(Digest.FromSha256Bytes(System.Security.Cryptography.SHA256.HashData(a)), Digest.FromSha256Bytes(System.Security.Cryptography.SHA256.HashData(b)));
        }
    }

    [Fact]
    public void The_image_read_back_from_its_layout_and_opened_as_a_base_is_the_image_written()
    {
        var (dir, composed, written, layout) = WriteLayout("model");
        using var _ = dir;
        Assert.Equal((composed.ManifestDescriptor.Digest, composed.Manifest.Config.Digest, layout), (written.ManifestDigest, written.ConfigDigest, written.Destination));
        Assert.Equal(new[] { "2026.11", "latest" }, written.Tags);

        var read = BuiltImage.FromLayout(layout, "hpc/site");
        AssertSameImage(composed, read);
        Assert.Equal(composed.Index.ToJson(), read.Index.ToJson());
        Assert.All(Enumerable.Range(0, read.Layers.Count), i => Assert.StartsWith(layout + "/blobs/sha256/", read.BlobFile(i)));

        var request = new ImageRequest(layout, "image", null, Platform.Parse("linux/arm64/v8"), dir.Combine("spool"));
        using var source = new OciLayoutSource().Open(request);
        AssertSameImage(composed, source);
        Assert.Equal("hpc/site:2026.11", source.Name);
        Assert.Equal(read.BlobFile(1), source.BlobFile(1));
    }

    [Fact]
    public void Every_archive_writer_returns_what_it_wrote()
    {
        var (dir, composed, _, layout) = WriteLayout("model");
        using var _ = dir;
        var image = BuiltImage.FromLayout(layout, "hpc/site");
        foreach (var writer in Composition.ArchiveWriters)
        {
            var path = dir.Combine($"out.{writer.Names[0]}.tar");
            var result = writer.Write(image, path, new ImageWriteContext(0, dir.Path, NullBuildLog.Instance));
            Assert.True(File.Exists(path));
            Assert.Equal((composed.ManifestDescriptor.Digest, composed.Manifest.Config.Digest, path), (result.ManifestDigest, result.ConfigDigest, result.Destination));
            Assert.Equal(new[] { "2026.11", "latest" }, result.Tags);
        }
    }

    [Fact]
    public void A_layout_whose_manifest_lost_its_digest_is_refused_before_anything_is_written()
    {
        var (dir, composed, _, layout) = WriteLayout("model");
        using var _ = dir;
        var manifest = Path.Combine(layout, "blobs", "sha256", composed.ManifestDescriptor.Digest.Hex);
        var bytes = File.ReadAllBytes(manifest);
        bytes[^2] ^= 1;
        File.Delete(manifest);
        File.WriteAllBytes(manifest, bytes);

        var archive = dir.Combine("out.tar");
        var e = Assert.Throws<ContainerSdkException>(() => ContainerEngine.WriteArchive(layout, archive, "oci", "hpc/site", 0, dir.Path, NullBuildLog.Instance));
        Assert.Equal(Codes.BlobDigestMismatch, e.Code);
        Assert.False(File.Exists(archive));
    }

    [Fact]
    public void A_retagged_image_names_each_new_tag_once()
    {
        var (dir, composed, _, _) = WriteLayout("model");
        using var _ = dir;
        var retagged = composed.WithTags(new[] { "1.0" });
        Assert.Equal(new[] { "1.0" }, retagged.Tags);
        var entry = Assert.Single(retagged.Index.Manifests);
        Assert.Equal(composed.ManifestDescriptor.Digest, entry.Digest);
        Assert.Equal("hpc/site:1.0", entry.Annotations![Annotations.ContainerdName]);
        Assert.Same(composed, composed.WithTags(new[] { "2026.11", "latest" }));
    }
}
