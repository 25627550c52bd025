using ContainerSdk.Core.Acl;
using ContainerSdk.Core.Diagnostics;

using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Acl;

/// <summary>Every malformed dump is a build error naming the file, line and column a user must fix.</summary>
public sealed class AclDumpErrorTests
{
    private const string Head = "# file: a\n# owner: 0\n# group: 0\n";
    private const string Base = "user::rw-\ngroup::r--\nother::r--\n";

    private static ContainerSdkException Fail(string text, INameResolver? names = null) =>
        Assert.Throws<ContainerSdkException>(() =>
            AclDumpParser.Parse(new StringReader(text), "acl/site.acl", "/", names ?? PasswdResolver.Empty()));

    [Theory]
    // perms: the column points at the offending character
    [InlineData(Head + "user::rwz\ngroup::r--\nother::r--\n", Codes.AclSyntax, 4, 9)]
    [InlineData(Head + "user::rr-\ngroup::r--\nother::r--\n", Codes.AclSyntax, 4, 8)]
    [InlineData(Head + "user::\ngroup::r--\nother::r--\n", Codes.AclSyntax, 4, 7)]
    [InlineData(Head + "user::rwX\ngroup::r--\nother::r--\n", Codes.AclSyntax, 4, 9)]
    [InlineData(Head + "user::r w\ngroup::r--\nother::r--\n", Codes.AclSyntax, 4, 8)]
    [InlineData(Head + "user::rwxrwx\ngroup::r--\nother::r--\n", Codes.AclSyntax, 4, 10)]
    [InlineData(Head + "user::rw-\ngroup:4343:r-xx\nother::r--\n", Codes.AclSyntax, 5, 15)]
    [InlineData(Head + "user::rw-\nother::8\n", Codes.AclSyntax, 5, 8)]
    [InlineData(Head + "user::rw-\nother::66\n", Codes.AclSyntax, 5, 9)]
    // entry shape
    [InlineData(Head + "usr::rw-\ngroup::r--\nother::r--\n", Codes.AclSyntax, 4, 1)]
    [InlineData(Head + "  user:rw-\n", Codes.AclSyntax, 4, 11)]
    [InlineData(Head + "user:1:rw-:x\n", Codes.AclSyntax, 4, 11)]
    [InlineData(Head + "mask:1:rw-\n", Codes.AclSyntax, 4, 6)]
    [InlineData(Head + Base + "default:\n", Codes.AclSyntax, 7, 9)]
    [InlineData(Head + Base + "default:bogus::rwx\n", Codes.AclSyntax, 7, 9)]
    [InlineData(Head + "user:99999999999:rw-\n", Codes.AclSyntax, 4, 6)]
    // headers
    [InlineData("user::rw-\n", Codes.AclSyntax, 1, 1)]
    [InlineData("# owner: 0\n", Codes.AclSyntax, 1, 1)]
    [InlineData("# file:\nuser::rw-\n", Codes.AclSyntax, 1, 8)]
    [InlineData("# file: a\n# flags: -x-\n" + Base, Codes.AclSyntax, 2, 11)]
    [InlineData("# file: a\n# flags: s\n" + Base, Codes.AclSyntax, 2, 10)]
    [InlineData("# file: ../../etc\n" + Base, Codes.AclSyntax, 1, 9)]
    // validity (acl_valid): reported at the block's "# file:" line, duplicates at the duplicate. setfacl lets a
    // duplicate silently replace the earlier entry; a build refuses it, since one of the two lines is a mistake.
    [InlineData(Base + "\n# file: b\nuser::rw-\ngroup::r--\n", Codes.AclSyntax, 1, 1)]
    [InlineData("\n\n# file: b\nuser::rw-\ngroup::r--\n", Codes.AclInvalid, 3, 1)]
    [InlineData("# file: b\nuser::rw-\nuser:5:r--\ngroup::r--\nother::---\nmask::r--\nmask::rwx\n", Codes.AclInvalid, 7, 1)]
    [InlineData("# file: b\nuser::rw-\ngroup::r--\nother::---\n\nuser:5:r--\n", Codes.AclSyntax, 6, 1)]
    [InlineData("# file: b\nuser::rw-\nuser::r--\n", Codes.AclInvalid, 3, 1)]
    [InlineData("# file: b\nuser::rw-\nu:5:r--\nuser:5:r--\n", Codes.AclInvalid, 4, 1)]
    [InlineData("# file: b\n# owner: 0\n\n", Codes.AclInvalid, 1, 1)]
    [InlineData("# file: b\nuser::rw-\ngroup::r--\nother::---\ndefault:user::rwx\n", Codes.AclInvalid, 1, 1)]
    public void Malformed_dump_reports_code_line_and_column(string text, string code, int line, int column)
    {
        var e = Fail(text);
        Assert.Equal(code, e.Code);
        Assert.Equal("acl/site.acl", e.File);
        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void Unknown_user_names_the_name_the_line_and_where_it_looked()
    {
        var names = new PasswdResolver(Stream("root:x:0:0::/root:/bin/sh\nalice:x:1001:1001::/home/alice:/bin/sh\n"),
            Stream("root:x:0:\nlicensed:x:2000:alice\n"), "the image's /etc/passwd (from layers base/rootfs.tar.gz)");
        var text = "# file: opt/suite\nuser::rwx\nuser:alice:r-x\nuser:bob:r-x\ngroup::r-x\nmask::r-x\nother::---\n";

        var e = Fail(text, names);

        Assert.Equal(Codes.AclUnknownName, e.Code);
        Assert.Equal((4, 6), (e.Line, e.Column));
        Assert.Contains("\"bob\"", e.Message);
        Assert.Contains("line 4", e.Message);
        Assert.Contains("the image's /etc/passwd (from layers base/rootfs.tar.gz)", e.Message);
    }

    [Fact]
    public void Names_resolve_against_the_given_passwd_and_group_only()
    {
        var names = new PasswdResolver(Stream("# comment\nroot:x:0:0::/root:/bin/sh\nalice:x:1001:1001::/home/alice:/bin/sh\nalice:x:9:9::/:/bin/sh\n"),
            Stream("root:x:0:\nlicensed:x:2000:alice\n"), "test files");
        var text = "# file: opt/suite\n# owner: alice\n# group: licensed\nuser::rwx\nuser:alice:r-x\ngroup::r-x\ngroup:licensed:r-x\nmask::r-x\nother::---\n";

        var entry = Assert.Single(AclDumpParser.Parse(new StringReader(text), "site.acl", "/", names));

        Assert.Equal(1001u, entry.Owner);
        Assert.Equal(2000u, entry.Group);
        Assert.Equal("user::rwx,user:1001:r-x,group::r-x,group:2000:r-x,mask::r-x,other::---", entry.Acls.Access!.ToString());

        // A group name is not a user name, and the machine's own "daemon" is unknown to this image.
        var e = Fail("# file: a\nuser::rw-\nuser:licensed:r--\n", names);
        Assert.Equal(Codes.AclUnknownName, e.Code);
        e = Fail("# file: a\n# group: daemon\n", names);
        Assert.Equal((Codes.AclUnknownName, 2, 10), (e.Code, e.Line, e.Column));
    }

    private static MemoryStream Stream(string s) => new(System.Text.Encoding.UTF8.GetBytes(s));
}
