using System.Net.Http.Headers;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Outputs;
using ContainerSdk.Core.Registry;
using ContainerSdk.Core.Tests.Layers;
using ContainerSdk.Core.Tests.Sbom;

namespace ContainerSdk.Tests.Registry;

/// <summary>
/// Publishing carries the SBOM and the ACL dump to the image's repository as its referrers: against the real
/// docker-registry 2.8 (TLS, htpasswd), which has no referrers API, through the referrers tag schema's index.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ReferrerPushTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    internal async Task Publish_pushes_the_SBOM_and_ACL_dump_and_the_fallback_tag_index_lists_them_with_the_image_as_subject()
    {
        Tools.Require("docker-registry");
        using var run = new EngineRun("referrers");
        var (_, image, sbomPath) = ImageSbomTests.Build(run);
        await using var reg = await RegistryServer.StartAsync(new RegistryServerOptions { Tls = true, Users = new Dictionary<string, string> { ["ci"] = "ref-secret" } });
        var certsD = run.Dir.Combine("certs.d");
        Directory.CreateDirectory(Path.Combine(certsD, reg.Host));
        File.Copy(reg.CaCertificatePath!, Path.Combine(certsD, reg.Host, "ca.crt"));
        var login = new Dictionary<string, string> { ["CONTAINERSDK_REGISTRY_USER"] = "ci", ["CONTAINERSDK_REGISTRY_PASSWORD"] = "ref-secret" };
        var options = TestRegistryOptions.For(run.Dir.Combine("home"), login, certificateDirectories: new[] { certsD });
        var writer = new RegistryImageWriter(options, Array.Empty<PublishedLayer>(), cacheRepository: null);
        var built = BuiltImage.FromLayout(run.Layout, "hpc/site", referrers: true);
        var log = new TranscriptLog();

        writer.Write(built, $"{reg.Host}/hpc/site", new ImageWriteContext(0, run.Dir.Path, log));

        using var client = new RegistryClient(reg.Host, options, log);
        // docker-registry 2.8 has no referrers API: the fallback is what lists them.
        Assert.Null(await client.ReferrersAsync("hpc/site", image.ManifestDigest, Cancel));
        var tag = $"sha256-{image.ManifestDigest.Hex}";
        var fallback = await client.GetManifestAsync("hpc/site", tag, Cancel);
        Assert.Equal(MediaTypes.ImageIndex, fallback.MediaType);
        var index = ImageIndex.Parse(fallback.Json);
        Assert.Equal(new[] { MediaTypes.CycloneDxJson, MediaTypes.AclDump }, index.Manifests.Select(m => m.ArtifactType));

        var expected = new[] { File.ReadAllBytes(sbomPath), File.ReadAllBytes(run.BundleAcl) };
        var store = new BlobStore(run.Dir.Combine("pulled"));
        for (int i = 0; i < index.Manifests.Count; i++)
        {
            var artifact = await client.GetManifestAsync("hpc/site", index.Manifests[i].Digest.ToString(), Cancel);
            var manifest = Manifest.Parse(artifact.Json);
            Assert.Equal(image.ManifestDigest, manifest.Subject!.Digest);
            Assert.Equal(index.Manifests[i].ArtifactType, manifest.ArtifactType);
            var file = await client.DownloadBlobAsync("hpc/site", manifest.Layers.Single(), store, Cancel);
            Assert.Equal(expected[i], File.ReadAllBytes(file));
        }

        // Publishing again adds nothing: the index already lists both, and is not written again.
        writer.Write(built, $"{reg.Host}/hpc/site", new ImageWriteContext(0, run.Dir.Path, log));
        Assert.Equal(fallback.Json, (await client.GetManifestAsync("hpc/site", tag, Cancel)).Json);
        Assert.Contains(log.Lines, l => l.Contains(":" + tag + ": lists every artifact already"));
        Assert.DoesNotContain(log.Lines, l => l.Contains("ref-secret"));
    }

    [Fact]
    internal async Task The_fallback_index_keeps_what_other_tools_listed_and_adds_only_what_it_lacks()
    {
        Tools.Require("docker-registry");
        using var run = new EngineRun("referrers-merge");
        var (_, image, _) = ImageSbomTests.Build(run);
        await using var reg = await RegistryServer.StartAsync();
        var options = TestRegistryOptions.Plain(reg, run.Dir.Combine("home"));
        var log = new TranscriptLog();
        var built = BuiltImage.FromLayout(run.Layout, "site", referrers: true);
        new RegistryImageWriter(options, Array.Empty<PublishedLayer>(), null).Write(built.WithReferrers(Array.Empty<ImageReferrer>()), $"{reg.Host}/site",
            new ImageWriteContext(0, run.Dir.Path, log));

        // Another tool's artifact first (as ORAS or cosign would attach it), then ours.
        var other = ImageReferrer.FromBytes(built.ManifestDescriptor, "application/vnd.example.other", "text/plain", "note.txt", "note\n"u8.ToArray(), "2026-01-01T00:00:00Z");
        var pusher = new ReferrerPusher(options, log);
        await pusher.PushAsync(reg.Host, "site", built.ManifestDescriptor, new[] { Artifact(other) }, Cancel);
        var result = await pusher.PushAsync(reg.Host, "site", built.ManifestDescriptor, built.Referrers.Select(Artifact).ToArray(), Cancel);

        Assert.False(result.RegistryListsReferrers);
        Assert.Equal(new[] { "application/vnd.example.other", MediaTypes.CycloneDxJson, MediaTypes.AclDump }, result.FallbackIndex!.Manifests.Select(m => m.ArtifactType));
        using var client = new RegistryClient(reg.Host, options, log);
        Assert.Equal(result.FallbackIndex.ToJson(), (await client.GetManifestAsync("site", ArtifactManifest.FallbackTag(image.ManifestDigest), Cancel)).Json);
    }

    private static ReferrerArtifact Artifact(ImageReferrer referrer) => new(referrer.ManifestJson, new[]
    {
        new PushBlob(ArtifactManifest.EmptyConfig, () => new MemoryStream(ArtifactManifest.EmptyJson, writable: false)),
        new PushBlob(referrer.File, referrer.OpenFile),
    });
}
