using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Tests.Registry;

/// <summary>Manifests and configs of media types the SDK does not know: one it cannot read is an error naming the type, a config is read with a warning.</summary>
public sealed class RegistryMediaTypeTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;
    private static readonly Platform Amd64 = Platform.Parse("linux/amd64");

    private static Task<PulledImage> Pull(TempDir dir, HostileRegistry registry, TranscriptLog log, Func<RegistryOptions, RegistryOptions>? adjust = null)
    {
        var options = TestRegistryOptions.For(dir.Combine("home"), insecure: [registry.Host]);
        return new ImagePuller(adjust?.Invoke(options) ?? options, new BlobStore(dir.Combine("store")), log)
            .PullAsync(RegistryReference.Parse($"docker://{registry.Host}/site:1"), Amd64, Cancel);
    }

    [Fact]
    public async Task A_manifest_of_a_type_that_cannot_be_read_is_refused_naming_the_type()
    {
        using var dir = new TempDir("mediatype");
        const string schema1 = "application/vnd.docker.distribution.manifest.v1+prettyjws";
        var json = """{"schemaVersion":1,"name":"site","tag":"1","fsLayers":[],"history":[]}"""u8.ToArray();
        await using var registry = HostileRegistry.Start(new HostileRegistryOptions
        {
            Manifests = new Dictionary<string, (string, byte[])> { ["1"] = (schema1, json) },
        });
        var e = await Assert.ThrowsAsync<ContainerSdkException>(() => Pull(dir, registry, new TranscriptLog()));
        Assert.Equal(Codes.RegistryManifestTypeUnknown, e.Code);
        Assert.Contains($"'{schema1}'", e.Message);
    }

    [Fact]
    public async Task A_config_of_an_unknown_type_is_read_with_a_coded_warning_at_the_base_layer()
    {
        using var dir = new TempDir("mediatype");
        var layout = TestLayout.Create(dir.Combine("layout"), "1", 3000);
        const string vendor = "application/vnd.example.config.v1+json";
        var manifest = layout.Manifest with { Config = layout.Manifest.Config with { MediaType = vendor } };
        var blobs = new[] { layout.Manifest.Config }.Concat(layout.Manifest.Layers).Select(d => File.ReadAllBytes(layout.BlobPath(d.Digest))).ToArray();
        await using var registry = HostileRegistry.Start(new HostileRegistryOptions
        {
            Blobs = blobs,
            Manifests = new Dictionary<string, (string, byte[])> { ["1"] = (MediaTypes.ImageManifest, manifest.ToJson()) },
        });
        var log = new TranscriptLog();
        var pulled = await Pull(dir, registry, log);
        Assert.Equal(vendor, pulled.Parsed.Config.MediaType);
        var warning = Assert.Single(log.Lines, l => l.StartsWith("warning "));
        Assert.StartsWith($"warning {Codes.BaseConfigTypeUnknown}: BaseLayer 'docker://{registry.Host}/site:1'", warning);
        Assert.Contains(vendor, warning);
    }

    [Fact]
    public async Task An_oversized_manifest_is_refused_in_a_sentence()
    {
        using var dir = new TempDir("mediatype");
        var layout = TestLayout.Create(dir.Combine("layout"), "1", 3000);
        await using var registry = HostileRegistry.Start(new HostileRegistryOptions
        {
            Manifests = new Dictionary<string, (string, byte[])> { ["1"] = (MediaTypes.ImageManifest, layout.Manifest.ToJson()) },
        });
        var e = await Assert.ThrowsAsync<ContainerSdkException>(() => Pull(dir, registry, new TranscriptLog(), o => o with { MaxManifestSize = 100 }));
        Assert.Equal(Codes.RegistryContentInvalid, e.Code);
        Assert.Contains($"the registry's manifest announces {layout.Manifest.ToJson().Length} bytes, more than the 100 bytes it may have", e.Message);
    }
}
