using System.Security.Cryptography;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Tests.Layers;
using ContainerSdk.Tests;
using ContainerSdk.Core.Inputs;

namespace ContainerSdk.Core.Tests.Engine;

/// <summary>
/// The sample site (samples/site), built through the engine as its project asks, gives these bytes and no others:
/// a refactoring of the engine must not move one. The inputs are copied with fixed modes (git keeps only the x bit,
/// the checkout's umask the rest), so the pins hold on any clone. A deliberate format change updates them here.
/// </summary>
public sealed class SamplePinTests
{
    private const string ManifestDigest = "sha256:1ff573417e6f47617f3df3e442b83944f34fee581e840cd8f6c37d25691d2580";
    private const string BundleSha256 = "c20319f9642e7622b55ae6d0f3397761559f23abd6833ab5745133e470de089e";
    private const string BundleAclSha256 = "792f3409e94b0521b23a8138e5832979960016f25a9ed8c493cb5ce0b2e22b53";
    private const string OciArchiveSha256 = "4b1c1ca4b3b0c79f209d1a6bb7be9db500d49f9bd17ef0f8ce44a29cb3937c95";
    private const string DockerArchiveSha256 = "9e0dfd30db4a72f3af5720cafcc5de937b9373356353bbc778bf3247f1e13562";
    // The SBOM names the SDK's version (ContainerSdkVersion): a new version moves these two, deliberately. The layout's
    // index.json lists the image (unchanged) and, untagged, the SBOM and ACL dump artifacts whose subject it is.
    private const string SbomSha256 = "18d3e59ed08aa8b34b896dfd9e8e4444386a08e2f99bda9cdd4ae035177e68c5";
    private const string IndexSha256 = "dc475107271ceafbfcadc163b802860d4d6f7c5b194ace4e95f9cb69a142f9c0";

    [Fact]
    public void The_sample_gives_the_pinned_manifest_bundle_and_archives()
    {
        using var run = new EngineRun("pin");
        var site = Path.Combine(RepoRoot.Path, "samples", "site");
        var input = run.Dir.Combine("in");
        CopyWithFixedModes(Path.Combine(site, "modules"), Path.Combine(input, "modules"));
        CopyWithFixedModes(Path.Combine(site, "acl"), Path.Combine(input, "acl"));
        File.Copy(Path.Combine(site, "base.tar"), Path.Combine(input, "base.tar"));

        var inputs = new[]
        {
            new LayerInput { ItemSpec = "base.tar", Kind = LayerKind.Base, SourcePath = Path.Combine(input, "base.tar") },
            new LayerInput
            {
                ItemSpec = "modules/hello-1.0", Kind = LayerKind.Module, SourcePath = Path.Combine(input, "modules", "hello-1.0"), TargetPath = "/opt/hello/1.0",
                Environment = new[] { "PATH=/opt/hello/1.0/bin:$PATH", "HELLO_HOME=/opt/hello/1.0" },
            },
            new LayerInput
            {
                ItemSpec = "modules/site-config", Kind = LayerKind.Module, SourcePath = Path.Combine(input, "modules", "site-config"), TargetPath = "/etc/site",
                Owner = "0", Group = "licensed",
            },
        };
        var layers = run.Layers(inputs, aclFiles: new[] { new AclFileInput(Path.Combine(input, "acl", "site.acl")) }, bundle: true);
        var image = ContainerEngine.WriteImage(layers, new ImageSettings
        {
            Repository = "site", Tags = new[] { "latest" }, WorkingDirectory = "/tmp",
            Labels = new[] { KeyValuePair.Create("org.opencontainers.image.vendor", "ContainerSdk sample") },
        }, run.Layout, run.Log, provenance: new ImageProvenance(run.Dir.Combine("out", "site.cdx.json"), run.BundleAcl));
        var oci = run.Dir.Combine("out", "site.oci.tar");
        var docker = run.Dir.Combine("out", "site.docker.tar");
        ContainerEngine.WriteArchive(run.Layout, oci, "oci", "site", 0, run.Work, run.Log);
        ContainerEngine.WriteArchive(run.Layout, docker, "docker", "site", 0, run.Work, run.Log);

        Assert.Equal(
            new[] { ManifestDigest, BundleSha256, BundleAclSha256, OciArchiveSha256, DockerArchiveSha256, SbomSha256, IndexSha256 },
            new[] { image.ManifestDigest.ToString(), Sha256(run.Bundle), Sha256(run.BundleAcl), Sha256(oci), Sha256(docker),
                Sha256(run.Dir.Combine("out", "site.cdx.json")), Sha256(Path.Combine(run.Layout, "index.json")) });
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    /// <summary>Folders 0755; files 0755 when git marks them executable, 0644 otherwise.</summary>
    private static void CopyWithFixedModes(string from, string to)
    {
        Directory.CreateDirectory(to);
        File.SetUnixFileMode(to, (UnixFileMode)0x1ED);
        foreach (var dir in Directory.EnumerateDirectories(from)) CopyWithFixedModes(dir, Path.Combine(to, Path.GetFileName(dir)));
        foreach (var file in Directory.EnumerateFiles(from))
        {
            if (Path.GetFileName(file) == ".gitignore") continue;
            var target = Path.Combine(to, Path.GetFileName(file));
            File.Copy(file, target);
            bool executable = (File.GetUnixFileMode(file) & UnixFileMode.UserExecute) != 0;
            File.SetUnixFileMode(target, (UnixFileMode)(executable ? 0x1ED : 0x1A4));
        }
    }
}
