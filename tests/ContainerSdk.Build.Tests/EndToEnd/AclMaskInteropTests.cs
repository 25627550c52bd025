using ContainerSdk.Tests.Images;

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// A layer's tar header carries an ACL's mask in its group bits, not the owning group's entry: containerd's, moby's and
/// containers/storage's extractors set the <c>system.posix_acl_access</c> xattr first and then chmod to the header's mode,
/// and chmod of a file with an ACL sets its mask from the group bits. Any other group bits would change the mask that
/// podman's storage leaves on the file (README: Apptainer / Singularity).
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class AclMaskInteropTests(SdkPackage sdk)
{
    [Fact]
    public async Task Podman_storage_keeps_the_mask_and_the_named_group_of_a_licensed_suite()
    {
        var getfacl = Tools.Require("getfacl");
        var project = TestProject.Fresh(sdk, "aclmask");
        UmociBase.Create(project.Path("images"));
        Tree.File(project.Path("modules"), "suite/bin/solver", "#!/bin/sh\necho solved\n", "750");
        // The licensed-suite shape: the owning group may do nothing, the named group reads and runs, the mask allows both.
        File.WriteAllText(project.Path("suite.acl"), """
            # file: opt/suite/bin/solver
            user::rwx
            group::---
            group:4200:r-x
            mask::r-x
            other::---

            """.Replace("            ", ""));
        await project.WriteAsync($"""
              <PropertyGroup>
                <ContainerRepository>hpc/aclmask</ContainerRepository>
                <ContainerArchiveOutputPath>bin/aclmask.tar</ContainerArchiveOutputPath>
              </PropertyGroup>
              <ItemGroup>
                <BaseLayer Include="images/layout" Reference="{UmociBase.Tag}" />
                <Module Include="modules/suite" TargetPath="/opt/suite" />
                <AclFile Include="suite.acl" />
              </ItemGroup>
            """);
        project.Build().EnsureSuccess("dotnet build");

        using var podman = new Podman();
        podman.Run("load", "-i", project.Path("bin", "aclmask.tar")).EnsureSuccess("podman load");
        string root = podman.Run("image", "mount", "hpc/aclmask:latest").EnsureSuccess("podman image mount").StdOut.Trim();
        try
        {
            string solver = Path.Combine(root, "opt", "suite", "bin", "solver");
            string acl = Tools.Run(getfacl, "-n", "--omit-header", solver).EnsureSuccess("getfacl").StdOut;
            Assert.Contains("group::---", acl);
            Assert.Contains("group:4200:r-x", acl);
            Assert.Contains("mask::r-x", acl);
            Assert.DoesNotContain("#effective", acl);
            Assert.Equal(UnixFileMode.GroupRead | UnixFileMode.GroupExecute,
                File.GetUnixFileMode(solver) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute));
        }
        finally
        {
            podman.Run("image", "unmount", "hpc/aclmask:latest");
        }
    }
}
