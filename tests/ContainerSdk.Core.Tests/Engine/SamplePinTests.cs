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
    private const string ManifestDigest = "sha256:7ae7e08afcae9c46579f5aa37071565b7db011fdafa12f1ec65d1ddef5053114";
    private const string BundleSha256 = "7d6fb2a3f941e3602edf0b7ac50547cc43ca70cfd31820719e20d5de326b1bef";
    private const string BundleAclSha256 = "792f3409e94b0521b23a8138e5832979960016f25a9ed8c493cb5ce0b2e22b53";
    private const string OciArchiveSha256 = "4e72e9a44111ef3da2b5c1c098fab67af4f95fca8a473bdec8bfac539864b49c";
    private const string DockerArchiveSha256 = "ed35fdfb5b03eab6dcded785d3ef04644c0c1cc2849659cebbd69754632db32f";
    // The SBOM names the SDK's version (ContainerSdkVersion): a new version moves these two, deliberately. The layout's
    // index.json lists the image (unchanged) and, untagged, the SBOM and ACL dump artifacts whose subject it is.
    private const string SbomSha256 = "05a3679b9e9978df00aab453d5dc9e846526e73723984cde0942608cd5f8f6c3";
    private const string IndexSha256 = "2838587c9d889672293a7f722645a8d46bbe5ad9030c56f21a28497b42deb6f7";

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
