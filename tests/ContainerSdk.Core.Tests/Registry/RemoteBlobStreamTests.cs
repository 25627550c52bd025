using System.Security.Cryptography;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Tests.Registry;

/// <summary>A blob of one registry pushed to another as it is read (a publish-only build's layer on another registry), never stored.</summary>
[Trait("Category", "EndToEnd")]
public sealed class RemoteBlobStreamTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_blob_streams_from_one_registry_into_another_and_a_seek_before_the_first_byte_reads_from_there()
    {
        using var dir = new TempDir("remote-blob");
        await using var from = await RegistryServer.StartAsync();
        await using var to = await RegistryServer.StartAsync();
        var bytes = RandomNumberGenerator.GetBytes(3 << 20);
        var blob = new Descriptor(MediaTypes.LayerGzip, Digest.Compute(bytes), bytes.Length);
        var options = TestRegistryOptions.For(dir.Combine("home"), insecure: new[] { from.Host, to.Host });
        var log = new TranscriptLog();
        using var source = new RegistryClient(from.Host, options, log);
        using var target = new RegistryClient(to.Host, options, log);
        await source.UploadBlobAsync("cache/layers", blob, () => new MemoryStream(bytes, writable: false), cancel: Cancel);

        await target.UploadBlobAsync("site", blob, () => new RemoteBlobStream(source, "cache/layers", blob), cancel: Cancel);
        Assert.True(await target.VouchesForBlobAsync("site", blob, Cancel));

        // An upload resumed at a byte the registry holds starts the read there (a Range request), and no sooner.
        using var resumed = new RemoteBlobStream(source, "cache/layers", blob);
        Assert.Equal(1000, resumed.Seek(1000, SeekOrigin.Begin));
        using var rest = new MemoryStream();
        await resumed.CopyToAsync(rest, Cancel);
        Assert.Equal(bytes.AsSpan(1000).ToArray(), rest.ToArray());
        Assert.Throws<NotSupportedException>(() => resumed.Seek(0, SeekOrigin.Begin));
    }
}
