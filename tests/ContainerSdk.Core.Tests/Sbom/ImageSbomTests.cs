using System.Text.Json.Nodes;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Images;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Outputs;
using ContainerSdk.Core.Tests.Layers;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Sbom;

/// <summary>
/// The SBOM of an image the engine builds, checked against the project that made it (every module, version, licence,
/// install path, layer digest, the dependency graph), and the layout that carries it and the ACL dump as referrers.
/// </summary>
public sealed class ImageSbomTests
{
    private const long Epoch = 1_700_000_000;

    /// <summary>A base folder and three modules: an EasyBuild-style modulefile, a Spack-style one that depends on it, and a licensed suite without one.</summary>
    internal static (IReadOnlyList<BuiltLayer> Layers, ImageResult Image, string Sbom) Build(EngineRun run)
    {
        var input = run.Dir.Combine("in");
        Tree.TextRootfs(Path.Combine(input, "base"));
        Tree.FileAt(Path.Combine(input, "modules", "openmpi-4.1.6", "bin", "mpirun"), "#!/bin/sh\n", "755");
        Tree.FileAt(Path.Combine(input, "modulefiles", "openmpi", "4.1.6.lua"), """
            whatis([==[Description: Open MPI, a Message Passing Interface implementation.]==])
            whatis([==[Homepage: https://www.open-mpi.org/]==])
            local root = "/apps/openmpi/4.1.6"
            prepend_path("PATH", pathJoin(root, "bin"))
            """, "644");
        Tree.FileAt(Path.Combine(input, "modules", "solver", "bin", "solve"), "#!/bin/sh\n", "755");
        Tree.FileAt(Path.Combine(input, "modulefiles", "solver", "3"), """
            #%Module1.0
            module-whatis {Name: solver}
            module-whatis {Version: 3.0.2}
            module-whatis {Short description: Solves sparse systems.}
            depends-on openmpi
            set root /apps/solver/3
            prepend-path PATH $root/bin
            """, "644");
        Tree.FileAt(Path.Combine(input, "modules", "suite_12", "share", "suite.txt"), "licensed\n", "644");
        Tree.FileAt(Path.Combine(input, "acl", "site.acl"), "# file: opt/suite\n# owner: 0\n# group: 0\nuser::rwx\ngroup::r-x\ngroup:3001:r-x\nmask::r-x\nother::---\n\n", "644");

        var inputs = new[]
        {
            EngineRun.Base(Path.Combine(input, "base")),
            new LayerInput
            {
                ItemSpec = "modules/openmpi-4.1.6", Kind = LayerKind.Module, SourcePath = Path.Combine(input, "modules", "openmpi-4.1.6"),
                TargetPath = "/opt/openmpi/4.1.6", License = "bsd-3-clause-open-mpi", ModuleFile = Path.Combine(input, "modulefiles", "openmpi", "4.1.6.lua"),
            },
            new LayerInput
            {
                ItemSpec = "modules/solver", Kind = LayerKind.Module, SourcePath = Path.Combine(input, "modules", "solver"), TargetPath = "/opt/solver/3",
                Version = "3.0.2-site", License = "LGPL-2.1-or-later OR MIT", ModuleFile = Path.Combine(input, "modulefiles", "solver", "3"), ModulePrefix = "/apps/solver/3",
            },
            new LayerInput
            {
                ItemSpec = "modules/suite_12", Kind = LayerKind.Module, SourcePath = Path.Combine(input, "modules", "suite_12"), TargetPath = "/opt/suite",
                License = "ACME Suite site licence, 20 seats",
            },
        };
        var layers = run.Layers(inputs, Epoch, aclFiles: new[] { new AclFileInput(Path.Combine(input, "acl", "site.acl")) }, bundle: true);
        var sbom = run.Dir.Combine("out", "site.cdx.json");
        var image = ContainerEngine.WriteImage(layers, new ImageSettings { Repository = "hpc/site", Tags = new[] { "2026.11", "latest" }, Epoch = Epoch },
            run.Layout, run.Log, run.Work, provenance: new ImageProvenance(sbom, run.BundleAcl));
        return (layers, image, sbom);
    }

    [Fact]
    internal void The_SBOM_names_the_image_the_base_and_every_module_as_the_project_gives_them()
    {
        using var run = new EngineRun("sbom");
        var (layers, image, path) = Build(run);
        var bom = JsonNode.Parse(File.ReadAllBytes(path))!;

        Assert.Equal("CycloneDX", bom["bomFormat"]!.GetValue<string>());
        Assert.Equal("1.6", bom["specVersion"]!.GetValue<string>());
        Assert.Matches("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", bom["serialNumber"]!.GetValue<string>());
        Assert.Equal("2023-11-14T22:13:20Z", bom["metadata"]!["timestamp"]!.GetValue<string>());
        var subject = bom["metadata"]!["component"]!;
        Assert.Equal(("container", "hpc/site", "2026.11"), (subject["type"]!.GetValue<string>(), subject["name"]!.GetValue<string>(), subject["version"]!.GetValue<string>()));
        Assert.Equal(new[] { image.ManifestDigest.Hex }, CycloneDx.Sha256(subject));
        Assert.Equal(new[] { "2026.11", "latest" }, CycloneDx.Property(subject, "containersdk:tag"));
        Assert.Equal($"pkg:oci/site@sha256%3A{image.ManifestDigest.Hex}?arch=amd64&repository_url=hpc/site&tag=2026.11", subject["purl"]!.GetValue<string>());

        var components = CycloneDx.Components(bom);
        Assert.Equal(new[] { "base", "openmpi", "solver", "suite" }, components.Keys);
        var digests = layers.Select(l => l.Descriptor.Digest).ToArray();
        Assert.Equal(new[] { digests[0].Hex }, CycloneDx.Sha256(components["base"]));

        var openmpi = components["openmpi"];
        Assert.Equal("4.1.6", openmpi["version"]!.GetValue<string>());                      // the modulefile's name/version
        Assert.Equal("BSD-3-Clause-Open-MPI", openmpi["licenses"]![0]!["license"]!["id"]!.GetValue<string>());
        Assert.Equal("Open MPI, a Message Passing Interface implementation.", openmpi["description"]!.GetValue<string>());
        Assert.Equal("https://www.open-mpi.org/", openmpi["externalReferences"]![0]!["url"]!.GetValue<string>());
        Assert.Equal(new[] { "/opt/openmpi/4.1.6" }, CycloneDx.Property(openmpi, "containersdk:targetPath"));
        Assert.Equal(new[] { "/opt/modulefiles/openmpi/4.1.6.lua" }, CycloneDx.Property(openmpi, "containersdk:modulefile"));
        Assert.Equal(new[] { digests[1].Hex }, CycloneDx.Sha256(openmpi));
        Assert.Equal(new[] { digests[1].ToString() }, CycloneDx.Property(openmpi, "containersdk:layer"));

        var solver = components["solver"];
        Assert.Equal("3.0.2-site", solver["version"]!.GetValue<string>());                   // metadata Version wins over whatis
        Assert.Equal("LGPL-2.1-or-later OR MIT", solver["licenses"]![0]!["expression"]!.GetValue<string>());
        Assert.Equal("Solves sparse systems.", solver["description"]!.GetValue<string>());
        Assert.Equal(new[] { digests[2].Hex }, CycloneDx.Sha256(solver));

        var suite = components["suite"];
        Assert.Equal("12", suite["version"]!.GetValue<string>());                             // the folder's name
        Assert.Equal("ACME Suite site licence, 20 seats", suite["licenses"]![0]!["license"]!["name"]!.GetValue<string>());
        Assert.Equal(new[] { "/opt/suite" }, CycloneDx.Property(suite, "containersdk:targetPath"));

        string Ref(string name) => components[name]["bom-ref"]!.GetValue<string>();
        Assert.Equal(new[] { Ref("base"), Ref("openmpi"), Ref("solver"), Ref("suite") }, CycloneDx.DependsOn(bom, "image"));
        Assert.Equal(new[] { Ref("openmpi") }, CycloneDx.DependsOn(bom, Ref("solver")));
        Assert.Empty(CycloneDx.DependsOn(bom, Ref("openmpi")));
    }

    [Fact]
    internal void Two_clean_builds_in_other_folders_give_the_same_SBOM_bytes()
    {
        using var first = new EngineRun("sbom-a");
        using var second = new EngineRun("sbom-b");
        var a = Build(first);
        var b = Build(second);
        Assert.Equal(a.Image.ManifestDigest, b.Image.ManifestDigest);
        Assert.Equal(File.ReadAllBytes(a.Sbom), File.ReadAllBytes(b.Sbom));
        Assert.Equal(File.ReadAllBytes(Path.Combine(first.Layout, "index.json")), File.ReadAllBytes(Path.Combine(second.Layout, "index.json")));
    }

    [Fact]
    internal void The_layout_lists_the_SBOM_and_the_ACL_dump_untagged_as_artifacts_about_the_image()
    {
        using var run = new EngineRun("sbom-layout");
        var (_, image, sbom) = Build(run);
        var index = ImageIndex.Parse(File.ReadAllBytes(Path.Combine(run.Layout, "index.json")));

        // The image's entries first, one per tag, as before; then the artifacts, with no ref.name.
        Assert.Equal(new[] { image.ManifestDigest, image.ManifestDigest }, index.Manifests.Take(2).Select(m => m.Digest));
        var artifacts = index.Manifests.Skip(2).ToArray();
        Assert.Equal(new[] { MediaTypes.CycloneDxJson, MediaTypes.AclDump }, artifacts.Select(a => a.ArtifactType));
        Assert.All(artifacts, a => Assert.False(a.Annotations?.ContainsKey(ImageIndex.RefNameAnnotation) ?? false));

        var files = new[] { sbom, run.BundleAcl };
        for (int i = 0; i < artifacts.Length; i++)
        {
            var manifest = Manifest.Parse(File.ReadAllBytes(Path.Combine(run.Layout, "blobs", "sha256", artifacts[i].Digest.Hex)));
            Assert.Equal(image.ManifestDigest, manifest.Subject!.Digest);
            Assert.Equal(artifacts[i].ArtifactType, manifest.ArtifactType);
            Assert.Equal(ArtifactManifest.EmptyConfig, manifest.Config with { Annotations = null });
            Assert.Equal("{}", File.ReadAllText(Path.Combine(run.Layout, "blobs", "sha256", manifest.Config.Digest.Hex)));
            Assert.Equal(File.ReadAllBytes(files[i]), File.ReadAllBytes(Path.Combine(run.Layout, "blobs", "sha256", manifest.Layers.Single().Digest.Hex)));
            Assert.Equal(Path.GetFileName(files[i]), manifest.Layers[0].Annotations![ArtifactManifest.TitleAnnotation]);
        }

        // Read back for publishing with them; for an archive, and as a base, without them.
        var built = BuiltImage.FromLayout(run.Layout, "hpc/site", referrers: true);
        Assert.Equal(artifacts.Select(a => a.Digest), built.Referrers.Select(r => r.ManifestDescriptor.Digest));
        Assert.Equal(new[] { "2026.11", "latest" }, built.Tags);
        Assert.Empty(BuiltImage.FromLayout(run.Layout, "hpc/site").Referrers);
        var asBase = OciImageResolver.Resolve(new DirectoryImageFiles(run.Layout, "image"), reference: null, Platform.Parse("linux/amd64"));
        Assert.Equal(image.ManifestDigest, asBase.ManifestDescriptor!.Digest);
    }

    [Fact]
    internal void An_SBOM_path_that_is_a_folder_is_CSDK4010()
    {
        using var run = new EngineRun("sbom-folder");
        var layers = run.Layers(new[] { EngineRun.Module(Tree.Rootfs(run.Dir.Combine("in", "root"))) });
        var folder = Directory.CreateDirectory(run.Dir.Combine("out", "site.cdx.json")).FullName;
        var e = Assert.Throws<Diagnostics.ContainerSdkException>(() => ContainerEngine.WriteImage(layers, new ImageSettings { Repository = "site", Tags = new[] { "1" } },
            run.Layout, run.Log, run.Work, provenance: new ImageProvenance(folder, null)));
        Assert.Equal(Diagnostics.Codes.SbomNotWritten, e.Code);
        Assert.Contains("ContainerSbomOutputPath", e.Message);
    }

    [Fact]
    internal void Without_an_SBOM_or_a_bundle_the_layout_holds_the_image_alone()
    {
        using var run = new EngineRun("sbom-none");
        var layers = run.Layers(new[] { EngineRun.Module(Tree.Rootfs(run.Dir.Combine("in", "root"))) });
        ContainerEngine.WriteImage(layers, new ImageSettings { Repository = "site", Tags = new[] { "1" } }, run.Layout, run.Log, run.Work,
            provenance: new ImageProvenance(null, null));
        Assert.Single(ImageIndex.Parse(File.ReadAllBytes(Path.Combine(run.Layout, "index.json"))).Manifests);
    }
}
