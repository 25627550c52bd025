using System.Text.Json.Nodes;

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// Modules installed elsewhere, by EasyBuild (Lua modulefile with a root) and by Spack (Tcl modulefile without one,
/// so ModulePrefix says where it was installed), and a site's MPI whose modulefile has a family and calls a function
/// of the site's SitePackage.lua (ContainerLmodSitePackage, and installed for the image's Lmod by a Module item),
/// built by <c>dotnet build</c> onto a Debian base with Lmod; then, in the container, a login shell's
/// <c>module load</c> of all three finds their programs and ends with the environment the image config already has,
/// the family variables included.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class ModulefileEndToEndTests(SdkPackage sdk, DebianLmodRootfs debian)
{
    private const string EasyBuildPrefix = "/apps/easybuild/software/hello/1.0-GCCcore-12.3.0";
    private const string SpackPrefix = "/opt/spack/opt/spack/linux-debian12-x86_64/gcc-12.2.0/greet-2.1-q3v7m4xhj2ckyzqdyylvd5a6hx3e5ztw";

    [Fact]
    public async Task Module_load_in_the_container_finds_the_programs_and_gives_the_image_environment()
    {
        var runc = Tools.Require("runc");
        Tools.RequireRoot("runc runs containers as root here");
        var rootfs = await debian.GetAsync();
        var project = new TestProject(sdk, Path.Combine(sdk.Root, "modulefiles-" + Guid.NewGuid().ToString("N")[..8]));

        Tree.FileAt(project.Path("modules", "hello", "bin", "hello-eb"), "#!/bin/sh\necho \"hello from $EBROOTHELLO\"\n", "755");
        Tree.Dir(project.Path("modules", "hello", "lib"), "", "755");
        Tree.FileAt(project.Path("modulefiles", "hello", "1.0-GCCcore-12.3.0.lua"), $$"""
            help([==[

            Description
            ===========
            Hello prints a greeting.
            ]==])

            whatis([==[Description: Hello prints a greeting.]==])

            local root = "{{EasyBuildPrefix}}"

            conflict("hello")

            prepend_path("LD_LIBRARY_PATH", pathJoin(root, "lib"))
            prepend_path("PATH", pathJoin(root, "bin"))
            setenv("EBROOTHELLO", root)
            setenv("EBVERSIONHELLO", "1.0")

            -- Built with EasyBuild version 4.9.4
            """, "644");

        Tree.FileAt(project.Path("modules", "greet", "bin", "greet"), "#!/bin/sh\necho \"greet from $GREET_ROOT, hello at $EBROOTHELLO\"\n", "755");
        Tree.FileAt(project.Path("modulefiles", "greet", "2.1"), $$"""
            #%Module1.0
            ## Module file created by spack (https://github.com/spack/spack) on 2025-01-10 09:12:44.181236
            ##
            ## greet@2.1%gcc@12.2.0 build_system=generic arch=linux-debian12-x86_64/q3v7m4x
            ##

            module-whatis {Greets.}

            proc ModulesHelp { } {
                puts stderr {Name   : greet}
                puts stderr {Version: 2.1}
            }

            depends-on hello/1.0-GCCcore-12.3.0

            conflict greet

            prepend-path -d {:} PATH {{{SpackPrefix}}/bin}
            prepend-path -d {:} CMAKE_PREFIX_PATH {{{SpackPrefix}}/.}
            setenv GREET_ROOT {{{SpackPrefix}}}
            append-path MANPATH {}
            """, "644");

        // The site's SitePackage.lua: read by the build, and installed where the image's Lmod finds it (LMOD_PACKAGE_PATH).
        Tree.FileAt(project.Path("lmod-site", "SitePackage.lua"), """
            require("strict")
            function site_mpi_root(name, version)
               return pathJoin("/apps/mpi", name, version)
            end
            sandbox_registration{ site_mpi_root = site_mpi_root }
            """, "644");
        Tree.FileAt(project.Path("modules", "mpi", "bin", "mpirun"), "#!/bin/sh\necho \"mpirun of $LMOD_FAMILY_MPI $LMOD_FAMILY_MPI_VERSION\"\n", "755");
        Tree.FileAt(project.Path("modulefiles", "openmpi", "4.1.5.lua"), """
            local root = site_mpi_root(myModuleName(), myModuleVersion())
            family("mpi")
            prepend_path{"PATH", pathJoin(root, "bin"), priority=100}
            setenv("MPI_HOME", root)
            if mode() == "load" then
               LmodMessage("openmpi " .. myModuleVersion() .. " loaded")
            end
            """, "644");

        await project.WriteAsync($"""
              <PropertyGroup>
                <ContainerRepository>hpc/modules</ContainerRepository>
                <ContainerImageTag>1</ContainerImageTag>
                <GenerateContainerBundle>false</GenerateContainerBundle>
                <!-- The Debian base is ~180 MB: compressing it would be most of the test's time and proves nothing here. -->
                <ContainerLayerCompression>none</ContainerLayerCompression>
                <ContainerLmodSitePackage>lmod-site/SitePackage.lua</ContainerLmodSitePackage>
              </PropertyGroup>
              <ItemGroup>
                <BaseLayer Include="{rootfs}" />
                <Module Include="modules/hello" TargetPath="/opt/hello/1.0" ModuleFile="modulefiles/hello/1.0-GCCcore-12.3.0.lua" License="GPL-3.0-or-later" />
                <Module Include="modules/greet" TargetPath="/opt/greet/2.1" ModuleFile="modulefiles/greet/2.1"
                        ModulePrefix="{SpackPrefix}" Environment="GREET_DATA=$GREET_ROOT/share" License="Site licence for greet" />
                <Module Include="lmod-site" TargetPath="/opt/lmod-site" />
                <!-- The site function makes the path, so the module keeps its prefix: nothing in the text to move. -->
                <Module Include="modules/mpi" TargetPath="/apps/mpi/openmpi/4.1.5" ModuleFile="modulefiles/openmpi/4.1.5.lua" />
                <ContainerEnvironmentVariable Include="LMOD_PACKAGE_PATH" Value="/opt/lmod-site" />
              </ItemGroup>
            """);

        var build = project.Build();
        build.EnsureSuccess("dotnet build");
        Assert.DoesNotContain("warning", build.StdOut);
        Assert.Contains("Module 'modules/mpi' says: openmpi 4.1.5 loaded", build.StdOut);
        AssertSbom(project, rootfs);

        var config = ImageTools.SkopeoInspect(project.ImageLayout, "1");
        var env = config["Env"]!.AsArray().Select(e => e!.GetValue<string>().Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        // openmpi's bin came last but has a priority: it stays in front.
        Assert.Equal("/apps/mpi/openmpi/4.1.5/bin:/opt/greet/2.1/bin:/opt/hello/1.0/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", env["PATH"]);
        Assert.Equal("openmpi", env["LMOD_FAMILY_MPI"]);
        Assert.Equal("4.1.5", env["LMOD_FAMILY_MPI_VERSION"]);
        Assert.Equal("/apps/mpi/openmpi/4.1.5", env["MPI_HOME"]);
        Assert.Equal("/opt/hello/1.0/lib", env["LD_LIBRARY_PATH"]);
        Assert.Equal("/opt/greet/2.1/share", env["GREET_DATA"]);
        Assert.Equal("/opt/modulefiles", env["MODULEPATH"]);

        using var work = new TempDir("runc");
        var bundle = work.Combine("bundle");
        ImageTools.UmociUnpack($"{project.ImageLayout}:1", bundle);
        Assert.Contains(SpackPrefix, File.ReadAllText(project.Path("modulefiles", "greet", "2.1")));
        Assert.Contains("prepend-path -d {:} PATH {/opt/greet/2.1/bin}", File.ReadAllText(Path.Combine(bundle, "rootfs", "opt/modulefiles/greet/2.1")));
        Assert.Contains("local root = \"/opt/hello/1.0\"", File.ReadAllText(Path.Combine(bundle, "rootfs", "opt/modulefiles/hello/1.0-GCCcore-12.3.0.lua")));

        var configPath = Path.Combine(bundle, "config.json");
        var runtime = JsonNode.Parse(File.ReadAllText(configPath))!;
        runtime["process"]!["terminal"] = false;
        runtime["process"]!["args"] = new JsonArray("/bin/bash", "-lc",
            "module load hello/1.0-GCCcore-12.3.0 greet/2.1 openmpi/4.1.5 && hello-eb && greet && mpirun && echo '--- env' && env -0");
        File.WriteAllText(configPath, runtime.ToJsonString());
        var id = "csdk-e2e-" + Guid.NewGuid().ToString("N")[..12];
        var run = Tools.Run(runc, new[] { "--root", work.Combine("runc-state"), "run", "-b", bundle, id },
            timeout: TimeSpan.FromMinutes(2)).EnsureSuccess("runc run");

        var marker = run.StdOut.IndexOf("--- env\n", StringComparison.Ordinal);
        Assert.True(marker >= 0, run.StdOut + run.StdErr);
        Assert.Equal("hello from /opt/hello/1.0\ngreet from /opt/greet/2.1, hello at /opt/hello/1.0\nmpirun of openmpi 4.1.5\n", run.StdOut[..marker]);
        var inside = run.StdOut[(marker + 8)..].Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

        // Every variable of the image config is what module load leaves, but MODULEPATH and MANPATH, which Debian's
        // /etc/profile.d/lmod.sh extends for the login shell (the config's entries come first).
        foreach (var (name, value) in env)
        {
            Assert.True(inside.TryGetValue(name, out var actual), $"{name} is not set after module load");
            if (name is "MODULEPATH" or "MANPATH") Assert.StartsWith(value.TrimEnd(':'), actual);
            else Assert.True(value == actual, $"{name}: image config '{value}', after module load '{actual}'");
        }
    }

    /// <summary>
    /// The SBOM of this Debian-based site (ContainerRepository hpc/modules: bin/Debug/hpc/modules.cdx.json) validates
    /// with the CycloneDX project's validator and says what the project and the modulefiles say: the Debian tarball by
    /// its SHA-256, each module's name, version and description from its modulefile (EasyBuild's whatis, Spack's), its
    /// licence, install path and layer, and greet's depends-on hello.
    /// </summary>
    private static void AssertSbom(TestProject project, string rootfs)
    {
        var path = project.Path("bin", "Debug", "hpc", "modules.cdx.json");
        CycloneDx.AssertValid(path);
        var bom = JsonNode.Parse(File.ReadAllBytes(path))!;
        var layers = ImageTools.Manifest(project.ImageLayout)["layers"]!.AsArray().Select(l => l!["digest"]!.GetValue<string>()).ToArray();
        Assert.Equal(ImageTools.ManifestDigest(project.ImageLayout), "sha256:" + CycloneDx.Sha256(bom["metadata"]!["component"]!).Single());

        var components = CycloneDx.Components(bom);
        using (var stream = File.OpenRead(rootfs))
            Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(stream)).ToLowerInvariant(), CycloneDx.Sha256(components["rootfs.tar"]).Single());
        var hello = components["hello"];
        Assert.Equal(("1.0-GCCcore-12.3.0", "Hello prints a greeting.", "GPL-3.0-or-later"),
            (hello["version"]!.GetValue<string>(), hello["description"]!.GetValue<string>(), hello["licenses"]![0]!["license"]!["id"]!.GetValue<string>()));
        Assert.Equal(new[] { "/opt/hello/1.0" }, CycloneDx.Property(hello, "containersdk:targetPath"));
        Assert.Equal(new[] { layers[1] }, CycloneDx.Property(hello, "containersdk:layer"));
        var greet = components["greet"];
        Assert.Equal(("2.1", "Greets.", "Site licence for greet"),
            (greet["version"]!.GetValue<string>(), greet["description"]!.GetValue<string>(), greet["licenses"]![0]!["license"]!["name"]!.GetValue<string>()));
        Assert.Equal(new[] { layers[2].Split(':')[1] }, CycloneDx.Sha256(greet));
        Assert.Equal(new[] { hello["bom-ref"]!.GetValue<string>() }, CycloneDx.DependsOn(bom, greet["bom-ref"]!.GetValue<string>()));
    }
}
