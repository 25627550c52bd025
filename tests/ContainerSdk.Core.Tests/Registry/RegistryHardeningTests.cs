using System.Diagnostics;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Tests.Registry;

/// <summary>
/// A registry played by hostile and broken servers (<see cref="HostileRegistry"/>, in this process): credentials stay with
/// the registry and its own token server, a silent server is given up within the time the options allow (and the build
/// says what it waits for), and a dropped upload goes on where the registry says it got to.
/// </summary>
public sealed class RegistryHardeningTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Short limits, so that a silent server costs seconds: 2 s per request, 6 s per operation, a word after 1 s.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private static RegistryOptions Options(TempDir dir, HostileRegistry registry, IReadOnlyDictionary<string, string>? login = null) =>
        TestRegistryOptions.For(dir.Combine("home"), login, insecure: [registry.Host]) with
        {
            ResponseTimeout = Timeout,
            WaitNoticeAfter = TimeSpan.FromSeconds(1),
        };

    private static byte[] RandomBlob(int size) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(size);

    private static Descriptor DescriptorOf(byte[] blob) => new(MediaTypes.LayerGzip, Digest.Compute(blob), blob.Length);

    [Fact]
    public async Task A_storage_host_that_asks_for_a_token_gets_nothing_of_the_registrys_and_is_named_in_the_error()
    {
        using var dir = new TempDir("hardened");
        var blob = RandomBlob(10_000);
        await using var hostile = HostileRegistry.Start(new HostileRegistryOptions
        {
            Basic = ("alice", "alice-secret"), Blob = blob, BlobOnStorage = true, StorageAsksForForeignToken = true,
        });
        var login = new Dictionary<string, string> { ["CONTAINERSDK_REGISTRY_USER"] = "alice", ["CONTAINERSDK_REGISTRY_PASSWORD"] = "alice-secret" };
        var log = new TranscriptLog();
        using var client = new RegistryClient(hostile.Host, Options(dir, hostile, login), log);

        var e = await Assert.ThrowsAsync<ContainerSdkException>(() =>
            client.DownloadBlobAsync("site", DescriptorOf(blob), new BlobStore(dir.Combine("store")), Cancel));

        Assert.Equal(Codes.RegistryForeignChallenge, e.Code);
        Assert.Contains(hostile.StorageHost, e.Message);
        Assert.DoesNotContain("refused user", e.Message);
        // The registry got its Basic login; the storage host nothing; the realm it named was never even asked.
        Assert.Contains(hostile.Requests, r => r.Listener == "registry" && r.Authorization?.StartsWith("Basic ") == true);
        Assert.Contains(hostile.Requests, r => r.Listener == "storage");
        Assert.All(hostile.Requests.Where(r => r.Listener == "storage"), r => Assert.Null(r.Authorization));
        Assert.DoesNotContain(hostile.Requests, r => r.Listener == "realm");
        Assert.DoesNotContain(hostile.Requests, r => r.Authorization?.StartsWith("Bearer") == true);
        Assert.DoesNotContain("alice-secret", log.All + e.Message);
    }

    [Fact]
    public async Task A_silent_token_server_is_given_up_within_the_operations_budget_naming_it_and_the_wait_is_told()
    {
        using var dir = new TempDir("hardened");
        var blob = RandomBlob(1000);
        await using var hostile = HostileRegistry.Start(new HostileRegistryOptions { Blob = blob, SilentTokenServer = true });
        var log = new TranscriptLog();
        using var client = new RegistryClient(hostile.Host, Options(dir, hostile), log);

        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ContainerSdkException>(() => client.BlobSizeAsync("site", DescriptorOf(blob).Digest, Cancel));
        clock.Stop();

        Assert.Equal(Codes.RegistryTimedOut, e.Code);
        Assert.Contains($"{hostile.SilentHost} (token server) did not answer", e.Message);
        Assert.Contains("check blob", e.Message);
        Assert.Contains("ContainerRegistryTimeout", e.Message);
        // Three waits of 2 s (the budget), not MaxAttempts of them; and not much more than that.
        Assert.InRange(clock.Elapsed, Timeout * 3 - TimeSpan.FromMilliseconds(300), Timeout * 3 + TimeSpan.FromSeconds(4));
        Assert.InRange(hostile.Requests.Count(r => r.Listener == "silent"), 1, RegistryOptions.WaitBudgetPerOperation);
        Assert.Contains(log.Lines, l => l.StartsWith("info: ") && l.Contains($"waiting for {hostile.SilentHost} (token server)"));
    }

    [Fact]
    public async Task A_blob_whose_body_stops_after_its_headers_is_given_up_within_the_operations_budget()
    {
        using var dir = new TempDir("hardened");
        var blob = RandomBlob(50_000);
        await using var hostile = HostileRegistry.Start(new HostileRegistryOptions { Blob = blob, BlobStalls = true });
        var log = new TranscriptLog();
        using var client = new RegistryClient(hostile.Host, Options(dir, hostile), log);
        var store = new BlobStore(dir.Combine("store"));

        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ContainerSdkException>(() => client.DownloadBlobAsync("site", DescriptorOf(blob), store, Cancel));
        clock.Stop();

        Assert.Equal(Codes.RegistryTimedOut, e.Code);
        Assert.Contains($"{hostile.Host} (pull blob {DescriptorOf(blob).Digest}) did not answer", e.Message);
        Assert.InRange(clock.Elapsed, Timeout * 3 - TimeSpan.FromMilliseconds(300), Timeout * 3 + TimeSpan.FromSeconds(4));
        Assert.InRange(hostile.Requests.Count(r => r.Method == "GET" && r.Target.Contains("/blobs/")), 1, RegistryOptions.WaitBudgetPerOperation);
        Assert.Contains(log.Lines, l => l.StartsWith("info: ") && l.Contains($"waiting for {hostile.Host} (pull blob"));
        Assert.Null(store.Find(DescriptorOf(blob)));
    }

    [Fact]
    public async Task An_upload_cut_off_twice_goes_on_where_the_registry_says_it_got_to()
    {
        using var dir = new TempDir("hardened");
        var blob = RandomBlob(3 << 20);
        var path = dir.Combine("blob");
        File.WriteAllBytes(path, blob);
        await using var hostile = HostileRegistry.Start(new HostileRegistryOptions { DropUploadAfter = 1 << 20, Drops = 2 });
        var log = new TranscriptLog();
        using var client = new RegistryClient(hostile.Host, Options(dir, hostile), log);
        var descriptor = DescriptorOf(blob);

        await client.UploadBlobAsync("site", descriptor, () => File.OpenRead(path), cancel: Cancel);

        Assert.Equal(blob, hostile.Pushed(descriptor.Digest.ToString()));
        // One session, asked twice how far it got; the bytes went once (not 1 + 2 + 3 MiB).
        Assert.Single(hostile.Requests, r => r.Method == "POST");
        Assert.Equal(2, hostile.Requests.Count(r => r.Method == "GET" && r.Target.Contains("/blobs/uploads/")));
        Assert.True(hostile.UploadBytesReceived < blob.Length * 1.2, $"{hostile.UploadBytesReceived} bytes sent for a blob of {blob.Length}");
        Assert.Contains(log.Lines, l => l.Contains($"the registry holds {1 << 20} of its {blob.Length} bytes"));
    }

    [Fact]
    public async Task An_upload_cut_off_where_the_registry_cannot_say_how_far_it_got_starts_over()
    {
        using var dir = new TempDir("hardened");
        var blob = RandomBlob(3 << 20);
        var path = dir.Combine("blob");
        File.WriteAllBytes(path, blob);
        await using var hostile = HostileRegistry.Start(new HostileRegistryOptions { DropUploadAfter = 1 << 20, Drops = 1, ReportsUploadProgress = false });
        using var client = new RegistryClient(hostile.Host, Options(dir, hostile), new TranscriptLog());
        var descriptor = DescriptorOf(blob);

        await client.UploadBlobAsync("site", descriptor, () => File.OpenRead(path), cancel: Cancel);

        Assert.Equal(blob, hostile.Pushed(descriptor.Digest.ToString()));
        Assert.Equal(2, hostile.Requests.Count(r => r.Method == "POST"));
        Assert.Equal(blob.Length + (1 << 20), hostile.UploadBytesReceived);
    }
}
