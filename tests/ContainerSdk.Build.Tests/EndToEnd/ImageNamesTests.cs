namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// Owner, Group and AclFile names resolve against the image's own /etc/passwd and /etc/group (users the build
/// machine does not have), and the ACLs reach the bundle both ways the contract promises.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class ImageNamesTests(SdkPackage sdk)
{
    private const string Acl = """
        # file: opt/licensed/data
        # owner: alice
        # group: licensed
        user::rwx
        user:bob:r-x
        group::r-x
        group:licensed:rwx
        mask::rwx
        other::---

        """;

    [Fact]
    public async Task Image_names_resolve_and_acls_survive_the_bundle()
    {
        var tar = Tools.Require("tar");
        var setfacl = Tools.Require("setfacl");
        var getfacl = Tools.Require("getfacl");
        Tools.RequireRoot("extracting owners and ACLs of other users");
        var project = TestProject.Fresh(sdk, "names");
        Tree.TextRootfs(project.Path("base"));
        Tree.File(project.Path("modules"), "licensed/data/license.txt", "seat=42\n", "640");
        Tree.File(project.Path("acl"), "site.acl", Acl, "644");
        await project.WriteAsync("""
              <PropertyGroup>
                <ContainerRepository>names</ContainerRepository>
              </PropertyGroup>
              <ItemGroup>
                <BaseLayer Include="base" />
                <Module Include="modules/licensed" TargetPath="/opt/licensed" Owner="alice" Group="licensed" />
                <AclFile Include="acl/site.acl" />
              </ItemGroup>
            """);

        project.Build().EnsureSuccess($"dotnet build {project.ProjectPath}");

        var bundle = project.Path("bin", "Debug", "names.tar.gz");
        var aclDump = project.Path("bin", "Debug", "names.acl");
        var expectedOwners = $"{Tree.AliceUid}:{Tree.LicensedGid}";

        // A plain extraction followed by setfacl --restore ...
        using var plain = new TempDir("plain");
        Tools.Run(tar, "-xpzf", bundle, "-C", plain.Path).EnsureSuccess("tar -xpzf bundle");
        Tools.Run(setfacl, new[] { $"--restore={aclDump}" }, plain.Path).EnsureSuccess("setfacl --restore");
        // ... and tar --acls give the same tree.
        using var withAcls = new TempDir("acls");
        Tools.Run(tar, "--acls", "-xpzf", bundle, "-C", withAcls.Path).EnsureSuccess("tar --acls -xpzf bundle");

        foreach (var root in new[] { plain.Path, withAcls.Path })
        {
            Assert.Equal(expectedOwners, FileStat.Of(Path.Combine(root, "opt/licensed/data/license.txt")).Owners);
            var acl = Tools.Run(getfacl, new[] { "-n", "-p", "opt/licensed/data" }, root).EnsureSuccess("getfacl").StdOut;
            Assert.Contains($"user:{Tree.BobUid}:r-x", acl);
            Assert.Contains($"group:{Tree.LicensedGid}:rwx", acl);
            Assert.Contains("other::---", acl);
        }
    }
}
