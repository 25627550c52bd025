using ContainerSdk.Core.Acl;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Acl;

/// <summary>
/// An AclFile is "a dump setfacl --restore reads": whatever hand-written form setfacl takes must mean the same
/// here, and what it refuses must be an error here. Each case is applied with the real setfacl and compared.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class AclSetfaclCompatibilityTests
{
    [Theory]
    [InlineData("u::rw\ng::r\no::-\n")]
    [InlineData("user::wr\ngroup::4\nother::07\n")]
    [InlineData("user::rw-\nuser:4242:rx\ngroup::r--\ngroup:4343:w\nother::---\n")] // no mask: setfacl computes it
    [InlineData("user::rw-\nuser:4242:rwx\ngroup::r--\nmask:r\nother:r--\n")]
    [InlineData("  user::rw-  \nuser:4242:rwx\t#effective:r--\ngroup::r--\nm::r--\no::r--\n# a comment\n")]
    public void Forms_setfacl_accepts_give_the_acl_setfacl_sets(string entries)
    {
        using var tree = AclTree.Create();
        tree.File("f");
        var dump = "# file: f\n" + entries + "\n";
        var dumpPath = Path.Combine(tree.Root, "dump.acl");
        File.WriteAllText(dumpPath, dump);
        Tools.Run("setfacl", new[] { "--restore", dumpPath }, workingDirectory: tree.Root).EnsureSuccess("setfacl --restore");

        var parsed = Assert.Single(AclDumpParser.Parse(new StringReader(dump), "dump.acl", "/", PasswdResolver.Empty()));
        var applied = DiskAcl.Read(Path.Combine(tree.Root, "f")) ?? new AclSet(null, null);
        var mode = Convert.ToInt32(Tools.Run("stat", "-c", "%a", Path.Combine(tree.Root, "f")).EnsureSuccess("stat").StdOut.Trim(), 8);

        Assert.Equal(applied.Access ?? PosixAcl.FromMode(mode), parsed.Acls.Access);
        Assert.Equal(mode & 0x1FF, parsed.Acls.Access!.ApplyToMode(0));
    }

    [Theory]
    [InlineData("user::rr-\ngroup::r--\nother::r--\n")]
    [InlineData("user::rw-\ngroup::r--\nother::66\n")]
    [InlineData("user::rw-\ngroup::r--\nother::r w\n")]
    [InlineData("user::rw-\ngroup::r--\n")]
    [InlineData("user::rw-\n\ngroup::r--\nother::---\n")]
    [InlineData("user::rw-\ngroup::r--\nother::---\nbogus::r--\n")]
    public void Forms_setfacl_refuses_are_errors(string entries)
    {
        using var tree = AclTree.Create();
        tree.File("f");
        var dump = "# file: f\n" + entries + "\n";
        var dumpPath = Path.Combine(tree.Root, "dump.acl");
        File.WriteAllText(dumpPath, dump);
        var setfacl = Tools.Run("setfacl", new[] { "--restore", dumpPath }, workingDirectory: tree.Root);
        Assert.NotEqual(0, setfacl.ExitCode);

        var e = Assert.Throws<ContainerSdkException>(() =>
            AclDumpParser.Parse(new StringReader(dump), "dump.acl", "/", PasswdResolver.Empty()));
        Assert.Contains(e.Code, new[] { Codes.AclSyntax, Codes.AclInvalid });
        Assert.True(e.Line >= 1);
    }
}
