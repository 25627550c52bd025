using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Tests.Registry;

/// <summary>Uploads cut off on the way to a real registry (Debian's docker-registry, distribution 2.8) go on where it says they got to.</summary>
[Trait("Category", "EndToEnd")]
public sealed class RegistryResumeTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_chunked_upload_cut_off_midway_goes_on_from_what_docker_registry_holds()
    {
        using var dir = new TempDir("resume");
        await using var reg = await RegistryServer.StartAsync();
        // A link that drops in the third chunk, behind a proxy that buffers request bodies (as nginx does by default), so
        // the registry holds the first two chunks and nothing of the third: distribution 2.8 then answers GET on the session
        // with its progress (a partial chunk written into the session would make it cancel the session instead).
        const long chunk = 512 * 1024;
        await using var proxy = await FaultProxy.StartAsync(reg.Host, new FaultPlan()
            .CutRequestBody("PATCH", "/blobs/uploads/", afterBodyBytes: 200_000, skip: 2)
            .RequireChunkedUploads(256 * 1024));
        var blob = System.Security.Cryptography.RandomNumberGenerator.GetBytes(3 << 20);
        var path = dir.Combine("blob");
        File.WriteAllBytes(path, blob);
        var descriptor = new Descriptor(MediaTypes.LayerGzip, Digest.Compute(blob), blob.Length);
        var log = new TranscriptLog();
        var options = TestRegistryOptions.For(dir.Combine("home"), insecure: [proxy.Host]) with { ChunkSize = chunk };

        using (var client = new RegistryClient(proxy.Host, options, log))
            await client.UploadBlobAsync("site", descriptor, () => File.OpenRead(path), cancel: Cancel);

        Assert.Single(proxy.Requests, r => r.Fault == FaultKind.CutRequestBody);
        Assert.Contains(proxy.Requests, r => r.Method == "GET" && r.PathAndQuery.Contains("/blobs/uploads/") && r.Status == 204);
        Assert.Contains(log.Lines, l => l.Contains($"the registry holds {2 * chunk} of its {blob.Length} bytes"));
        // The chunks went once, but for the 200 000 bytes of the one cut off.
        long patched = proxy.Requests.Where(r => r.Method == "PATCH").Sum(r => r.BodyBytes);
        Assert.Equal(blob.Length + 200_000, patched);
        Assert.True(patched < blob.Length * 1.2);
        using var direct = new RegistryClient(reg.Host, TestRegistryOptions.Plain(reg, dir.Combine("home")), new TranscriptLog());
        Assert.Equal(blob.Length, await direct.BlobSizeAsync("site", descriptor.Digest, Cancel));
        var pulled = new BlobStore(dir.Combine("store"));
        await direct.DownloadBlobAsync("site", descriptor, pulled, Cancel);
        Assert.Equal(blob, File.ReadAllBytes(pulled.PathOf(descriptor.Digest)));
    }
}
