using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Tests.Registry;

/// <summary>docker:// references as skopeo and podman read them.</summary>
public sealed class RegistryReferenceTests
{
    private const string Sha = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("docker://127.0.0.1:5000/site:1.0", "127.0.0.1:5000", "site", "1.0", null, "1.0")]
    [InlineData("docker://registry.example.org/hpc/base", "registry.example.org", "hpc/base", null, null, "latest")]
    [InlineData("docker://localhost/a/b/c:x_y", "localhost", "a/b/c", "x_y", null, "x_y")]
    [InlineData("docker://harbor.example:8443/proj/img@" + Sha, "harbor.example:8443", "proj/img", null, Sha, Sha)]
    [InlineData("docker://harbor.example/proj/img:2026@" + Sha, "harbor.example", "proj/img", "2026", Sha, Sha)]
    [InlineData("docker://alpine:3.20", "docker.io", "library/alpine", "3.20", null, "3.20")]
    [InlineData("docker://rocky/rocky", "docker.io", "rocky/rocky", null, null, "latest")]
    [InlineData("docker://[::1]:5000/x", "[::1]:5000", "x", null, null, "latest")]
    public void Parses(string text, string registry, string repository, string? tag, string? digest, string manifestReference)
    {
        var r = RegistryReference.Parse(text);
        Assert.Equal((registry, repository, tag, digest, manifestReference), (r.Registry, r.Repository, r.Tag, r.Digest?.ToString(), r.ManifestReference));
        Assert.True(RegistryReference.IsRegistryReference(text));
    }

    [Theory]
    [InlineData("docker://reg.example/Upper:1")]
    [InlineData("docker://reg.example/site:-bad")]
    [InlineData("docker://reg.example/site@sha256:abc")]
    [InlineData("docker://reg.example/")]
    [InlineData("docker://reg..example/site")]
    [InlineData("docker://reg.example/a//b")]
    public void Rejects_with_a_coded_error(string text)
    {
        var e = Assert.Throws<ContainerSdkException>(() => RegistryReference.Parse(text));
        Assert.Equal(Codes.InvalidRegistryReference, e.Code);
        Assert.Contains(text, e.Message);
    }

    [Fact]
    public void Pinning_keeps_the_tag_as_a_reminder()
    {
        var pinned = RegistryReference.Parse("docker://reg.example/site:1").WithDigest(ContainerSdk.Core.Oci.Digest.Parse(Sha));
        Assert.Equal($"reg.example/site:1@{Sha}", pinned.ToString());
        Assert.Equal(Sha, pinned.ManifestReference);
    }
}
