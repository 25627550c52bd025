using System.Text.RegularExpressions;

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// Issue 21's "done when", through <c>dotnet build -p:GenerateContainerSquashfs=true</c> against the packed SDK: the
/// kernel mounts the SquashFS image the build writes (loop, read-only) and runs its shell under chroot, as Apptainer
/// runs an image; a licensed suite's ACL (one named group) becomes exactly that group and mode; an ACL that SquashFS
/// cannot hold fails the build under ContainerSquashfsAclPolicy=error. Root: loop mounts and chroot need it.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class SquashfsBuildTests(SdkPackage sdk, DebianLmodRootfs debian)
{
    /// <summary>The licensed group of test 2: an id only the ACL dump names (Debian's /etc/group has no such group).</summary>
    private const int LicensedGid = 4200;

    [Fact]
    public async Task The_sample_builds_a_squashfs_image_the_kernel_mounts_and_an_unchanged_build_leaves_it_alone()
    {
        RequireMountAndChroot();
        var project = await CopyOfTheSampleAsync();
        // The README's "Run the sample": the sample's base has no shell, a static busybox is one more base layer.
        var shellRoot = project.Path("shell-root");
        Directory.CreateDirectory(Path.Combine(shellRoot, "bin"));
        File.Copy(Tools.Require("busybox"), Path.Combine(shellRoot, "bin", "busybox"));
        Tree.Chmod(Path.Combine(shellRoot, "bin", "busybox"), "755");
        File.CreateSymbolicLink(Path.Combine(shellRoot, "bin", "sh"), "busybox");
        var args = new[] { "-p:GenerateContainerSquashfs=true", $"-p:SampleShellRoot={shellRoot}" };

        var build = project.Build(args);
        build.EnsureSuccess("dotnet build -p:GenerateContainerSquashfs=true");
        var image = project.Path("bin", "Debug", "site.sqsh");
        Assert.True(File.Exists(image), $"no {image}:\n{build.StdOut}");
        AssertSummaryNames(build, "site", image);
        // The sample's one ACL (etc/site: the owning group, named again) is exact: nothing narrowed, nothing to say.
        Assert.DoesNotContain("CSDK7010", build.StdOut);
        Assert.False(File.Exists(image + ".narrowed.txt"));

        var bundle = ImageTools.ListTarball(project.Path("bin", "Debug", "site.tar.gz"));
        WithMount(image, project.Path("mnt"), mount =>
        {
            Assert.Equal("ok", Tools.Run("chroot", mount, "/bin/sh", "-c", "echo ok").EnsureSuccess("chroot /bin/sh").StdOut.Trim());
            // The image holds what the bundle holds, with the same types, owners and modes (the sample's ACL is exact).
            Assert.Equal(BundleEntries(bundle), MountEntries(mount));
            Assert.Equal(("750", 0, 3001), StatOf(Path.Combine(mount, "etc", "site")));
        });

        var before = Tools.Run("stat", "-c", "%i %y %z", image).EnsureSuccess("stat").StdOut;
        var again = project.Build(args);
        again.EnsureSuccess("dotnet build, nothing changed");
        AssertSummaryNames(again, "site", image);
        Assert.Equal(before, Tools.Run("stat", "-c", "%i %y %z", image).EnsureSuccess("stat").StdOut);
    }

    [Fact]
    public async Task A_licensed_suite_on_Debian_is_its_group_and_mode_exactly_in_the_mounted_image()
    {
        RequireMountAndChroot();
        var rootfs = await debian.GetAsync();
        var project = TestProject.Fresh(sdk, "sqsh-debian");
        Tree.File(project.Path("modules", "suite"), "bin/run", "#!/bin/sh\necho suite\n", "755");
        Tree.File(project.Path("modules", "suite"), "share/data.txt", "licensed data\n", "644");
        Tree.Dir(project.Path("modules", "suite"), "share", "755");
        File.WriteAllText(project.Path("suite.acl"), SuiteAcl(LicensedGid, "opt/suite", "opt/suite/bin", "opt/suite/bin/run", "opt/suite/share")
            + SuiteAcl(LicensedGid, "opt/suite/share/data.txt"));
        await project.WriteAsync($"""
              <PropertyGroup>
                <ContainerRepository>debian-suite</ContainerRepository>
                <GenerateContainerBundle>false</GenerateContainerBundle>
                <!-- The Debian base is ~180 MB: compressed layers would be most of the test's time and prove nothing here. -->
                <ContainerLayerCompression>none</ContainerLayerCompression>
              </PropertyGroup>
              <ItemGroup>
                <BaseLayer Include="{rootfs}" />
                <Module Include="modules/suite" TargetPath="/opt/suite" />
                <AclFile Include="suite.acl" />
              </ItemGroup>
            """);

        var build = project.Build("-p:GenerateContainerSquashfs=true", "-p:ContainerSquashfsCompression=zstd");
        build.EnsureSuccess("dotnet build -p:GenerateContainerSquashfs=true");
        var image = project.Path("bin", "Debug", "debian-suite.sqsh");
        AssertSummaryNames(build, project.Name, image);
        // One named group, no named user, group::--- and other::---: exact, so no warning and no list.
        Assert.DoesNotContain("CSDK7010", build.StdOut);
        Assert.DoesNotContain("warning", build.StdOut);
        Assert.False(File.Exists(image + ".narrowed.txt"));

        WithMount(image, project.Path("mnt"), mount =>
        {
            var run = Tools.Run("chroot", mount, "/bin/sh", "-c", "ls /opt/suite/bin; cat /etc/debian_version").EnsureSuccess("chroot /bin/sh");
            Assert.Matches(@"^run\n12\.\d+\n$", run.StdOut);

            Assert.Equal(("750", 0, LicensedGid), StatOf(Path.Combine(mount, "opt", "suite")));
            Assert.Equal(("750", 0, LicensedGid), StatOf(Path.Combine(mount, "opt", "suite", "bin", "run")));
            Assert.Equal(("640", 0, LicensedGid), StatOf(Path.Combine(mount, "opt", "suite", "share", "data.txt")));

            // The kernel's own answer: a member of the licensed group runs the suite, anyone else cannot.
            Assert.Equal("suite", Tools.Run("chroot", "--userspec=2001:2001", $"--groups={LicensedGid}", mount, "/opt/suite/bin/run")
                .EnsureSuccess("chroot as a licensed user").StdOut.Trim());
            Assert.NotEqual(0, Tools.Run("chroot", "--userspec=2002:2002", "--groups=2002", mount, "/opt/suite/bin/run").ExitCode);
        });
    }

    [Fact]
    public async Task Two_named_groups_under_the_error_policy_fail_with_CSDK7011_at_the_module_and_write_no_image()
    {
        var project = TestProject.Fresh(sdk, "sqsh-error");
        Tree.TextRootfs(project.Path("base"));
        Tree.File(project.Path("modules", "chemphys"), "tool", "#!/bin/sh\necho tool\n", "755");
        File.WriteAllText(project.Path("chemphys.acl"), """
            # file: opt/chemphys/tool
            # owner: 0
            # group: 0
            user::rwx
            group::---
            group:3002:r-x
            group:3003:r--
            mask::r-x
            other::---

            """);
        await project.WriteAsync("""
              <PropertyGroup>
                <GenerateContainerSquashfs>true</GenerateContainerSquashfs>
              </PropertyGroup>
              <ItemGroup>
                <BaseLayer Include="base" />
                <Module Include="modules/chemphys" TargetPath="/opt/chemphys" />
                <AclFile Include="chemphys.acl" />
              </ItemGroup>
            """);
        var line = project.LineOf("modules/chemphys");

        var build = project.Build("-p:ContainerSquashfsAclPolicy=error");

        Assert.NotEqual(0, build.ExitCode);
        var canonical = new Regex($@"^\s*(?:\d+(?::\d+)?>)?{Regex.Escape(project.ProjectPath)}\((\d+)(?:,(\d+))?\): error CSDK7011: (.*)$",
            RegexOptions.Multiline);
        var match = canonical.Match(build.StdOut);
        Assert.True(match.Success, $"no canonical CSDK7011 error for {project.ProjectPath}:\n{build.StdOut}\n{build.StdErr}");
        Assert.Equal(line, int.Parse(match.Groups[1].Value));
        Assert.Contains("opt/chemphys/tool", match.Groups[3].Value);
        // No image, and no half-written one under a temporary name (the list of refused paths may stay, for the error points to it).
        var written = Directory.Exists(project.OutDir) ? Directory.GetFiles(project.OutDir).Select(Path.GetFileName).ToList() : new();
        Assert.DoesNotContain(written, f => f!.Contains("site.sqsh", StringComparison.Ordinal) && f != "site.sqsh.narrowed.txt");
    }

    private static void RequireMountAndChroot()
    {
        Tools.RequireRoot("the kernel's loop mount and chroot need root");
        Tools.Require("mount");
        Tools.Require("umount");
        Tools.Require("chroot");
    }

    /// <summary>
    /// samples/site in a folder of its own, as a user's repository holds it: the project names the packed SDK
    /// (<c>Sdk="ContainerSdk/0.1.0"</c>) instead of importing it from the checkout, as its opening comment says.
    /// </summary>
    private async Task<TestProject> CopyOfTheSampleAsync()
    {
        var project = TestProject.Fresh(sdk, "sqsh-sample");
        var sample = Path.Combine(RepoRoot.Path, "samples", "site");
        foreach (var entry in Directory.EnumerateFileSystemEntries(sample))
            if (Path.GetFileName(entry) is not ("bin" or "obj"))
                Tools.Run("cp", "-a", entry, project.Directory).EnsureSuccess($"cp -a {entry}");
        var text = File.ReadAllText(Path.Combine(sample, "site.containerproj"));
        const string props = "<Import Project=\"../../sdk/Sdk/Sdk.props\" />", targets = "<Import Project=\"../../sdk/Sdk/Sdk.targets\" />";
        int start = text.IndexOf(props, StringComparison.Ordinal), end = text.IndexOf(targets, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "samples/site/site.containerproj no longer imports the SDK's props and targets");
        await project.WriteAsync(text[(start + props.Length)..end]);
        return project;
    }

    /// <summary>The kernel mounts the image read-only on a loop device for <paramref name="check"/>, and always unmounts it.</summary>
    private static void WithMount(string image, string folder, Action<string> check)
    {
        Directory.CreateDirectory(folder);
        Tools.Run("mount", "-t", "squashfs", "-o", "loop,ro", image, folder).EnsureSuccess($"mount -t squashfs {image}");
        // Unmounted whatever happens; a failed umount fails the test only when the check did not (its failure says more).
        try { check(folder); }
        catch { Tools.Run("umount", folder); throw; }
        Tools.Run("umount", folder).EnsureSuccess($"umount {folder}");
    }

    /// <summary>The summary line of the project, naming the SquashFS image at its end.</summary>
    private static void AssertSummaryNames(Tools.Result build, string projectName, string image)
    {
        var summary = new Regex($@"^\s*(?:\d+(?::\d+)?>)?{Regex.Escape(projectName)} -> .* \(layers: [^)]*\)(; [^;]*)*; SquashFS {Regex.Escape(image)}(; [^;]*)*\s*$",
            RegexOptions.Multiline);
        Assert.True(summary.IsMatch(build.StdOut), $"no summary line naming {image}:\n{build.StdOut}");
    }

    /// <summary>"path mode owner/group" per bundle entry, sorted; a hard link is the file it names.</summary>
    private static List<string> BundleEntries(IEnumerable<string> listing) => listing
        .Select(l => (Name: ImageTools.EntryName(l).TrimEnd('/'), Fields: l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
        .Select(e => (Name: e.Name.StartsWith("./", StringComparison.Ordinal) ? e.Name[2..] : e.Name, e.Fields))
        .Where(e => e.Name is not ("" or "."))
        .Select(e => $"{e.Name} {(e.Fields[0][0] == 'h' ? '-' + e.Fields[0][1..] : e.Fields[0]).TrimEnd('+')} {e.Fields[1]}")
        .Order(StringComparer.Ordinal).ToList();

    /// <summary>The same for every path below the mount, as find(1) sees it.</summary>
    private static List<string> MountEntries(string mount) =>
        Tools.Run("find", mount, "-mindepth", "1", "-printf", "%P %M %U/%G\\n").EnsureSuccess("find").StdOut
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();

    private static (string Mode, int Uid, int Gid) StatOf(string path)
    {
        var stat = FileStat.Of(path);
        return (stat.Mode, stat.Uid, stat.Gid);
    }

    /// <summary>The licensed suite's ACL (group:licensed:r-x, group::---, other::---) for each path, by gid.</summary>
    private static string SuiteAcl(int gid, params string[] paths) => string.Concat(paths.Select(p =>
    {
        var perms = p.EndsWith(".txt", StringComparison.Ordinal) ? ("rw-", "r--") : ("rwx", "r-x");
        return $"# file: {p}\n# owner: 0\n# group: 0\nuser::{perms.Item1}\ngroup::---\ngroup:{gid}:{perms.Item2}\nmask::{perms.Item2}\nother::---\n\n";
    }));
}
