using System.Text.Json;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Outputs;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Outputs;

/// <summary>image.result, written and read field by field: the text the reflection serializer wrote, so a file an earlier build left is read as before.</summary>
public sealed class ImageResultFileTests
{
    // A tag with characters the default encoder escapes ('+', '<', '>').
    private static readonly ImageResult Result = new(Digest.Compute(new byte[] { 1 }), Digest.Compute(new byte[] { 2 }), new[] { "latest", "1.0+build<2>" }, "/layout");

    [Fact]
    public void The_result_file_is_the_serializers_text_and_reads_back()
    {
        using var dir = new TempDir("result");
        var file = dir.Combine("image.result");
        var result = Result;

        ImageResultFile.Write(file, result, "site/app");

        var expected = JsonSerializer.SerializeToUtf8Bytes(new
        {
            ManifestDigest = result.ManifestDigest.ToString(), ConfigDigest = result.ConfigDigest.ToString(), Repository = "site/app", Tags = result.Tags.ToArray(),
        });
        Assert.Equal(expected, File.ReadAllBytes(file));
        var (back, repository) = ImageResultFile.Read(file, "/elsewhere");
        Assert.Equal("site/app", repository);
        Assert.Equal(result.ManifestDigest, back.ManifestDigest);
        Assert.Equal(result.ConfigDigest, back.ConfigDigest);
        Assert.Equal(result.Tags, back.Tags);
        Assert.Equal("/elsewhere", back.LayoutPath);
    }
}
