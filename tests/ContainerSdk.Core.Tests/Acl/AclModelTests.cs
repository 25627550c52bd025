using ContainerSdk.Core.Acl;
using ContainerSdk.Core.Diagnostics;

using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Acl;

public sealed class AclModelTests
{
    [Fact]
    public void Entries_are_put_in_the_kernels_canonical_order()
    {
        var acl = PosixAcl.Create(new[]
        {
            AclEntry.Other(4), AclEntry.Group(7, 1), AclEntry.Mask(7), AclEntry.User(20, 2), AclEntry.GroupObj(5),
            AclEntry.User(3, 4), AclEntry.UserObj(6), AclEntry.Group(2, 4),
        });
        Assert.Equal("user::rw-,user:3:r--,user:20:-w-,group::r-x,group:2:r--,group:7:--x,mask::rwx,other::r--", acl.ToString());
    }

    [Theory]
    [InlineData("no user_obj")]
    [InlineData("two group_obj")]
    [InlineData("no other")]
    [InlineData("named without mask")]
    [InlineData("two masks")]
    [InlineData("duplicate uid")]
    [InlineData("perms 8")]
    [InlineData("qualifier on mask")]
    public void Invalid_acls_are_refused_as_acl_valid_refuses_them(string problem)
    {
        var entries = new List<AclEntry> { AclEntry.UserObj(6), AclEntry.GroupObj(4), AclEntry.Other(4) };
        switch (problem)
        {
            case "no user_obj": entries.RemoveAt(0); break;
            case "two group_obj": entries.Add(AclEntry.GroupObj(4)); break;
            case "no other": entries.RemoveAt(2); break;
            case "named without mask": entries.Add(AclEntry.Group(5, 4)); break;
            case "two masks": entries.Add(AclEntry.Mask(4)); entries.Add(AclEntry.Mask(5)); break;
            case "duplicate uid": entries.Add(AclEntry.User(5, 4)); entries.Add(AclEntry.User(5, 6)); entries.Add(AclEntry.Mask(7)); break;
            case "perms 8": entries[0] = AclEntry.UserObj(8); break;
            case "qualifier on mask": entries.Add(new AclEntry(AclTag.Mask, 3, 4)); break;
        }
        var e = Assert.Throws<ContainerSdkException>(() => PosixAcl.Create(entries));
        Assert.Equal(Codes.AclInvalid, e.Code);
    }

    [Fact]
    public void The_modes_group_bits_are_the_mask_when_there_is_one()
    {
        var extended = PosixAcl.Create(new[] { AclEntry.UserObj(7), AclEntry.User(1001, 7), AclEntry.GroupObj(7), AclEntry.Mask(5), AclEntry.Other(0) });
        Assert.True(extended.IsExtended);
        Assert.Equal(5, extended.GroupClassPerms);
        Assert.Equal(Convert.ToInt32("2750", 8), extended.ApplyToMode(Convert.ToInt32("2777", 8)));

        var plain = PosixAcl.FromMode(Convert.ToInt32("640", 8));
        Assert.False(plain.IsExtended);
        Assert.Equal(4, plain.GroupClassPerms);
        Assert.Equal("user::rw-,group::r--,other::---", plain.ToString());
    }

    [Fact]
    public void Xattr_decode_refuses_malformed_values()
    {
        Assert.Equal(Codes.AclInvalid, Assert.Throws<ContainerSdkException>(() => AclXattr.Decode(new byte[] { 2, 0, 0 })).Code);
        Assert.Equal(Codes.AclInvalid, Assert.Throws<ContainerSdkException>(() => AclXattr.Decode(new byte[] { 1, 0, 0, 0 })).Code);
        var valid = AclXattr.Encode(PosixAcl.FromMode(0x1A4));
        valid[4] = 0x40; // unknown tag
        Assert.Equal(Codes.AclInvalid, Assert.Throws<ContainerSdkException>(() => AclXattr.Decode(valid)).Code);
    }

    [Fact]
    public void Quoting_follows_getfacl()
    {
        Assert.Equal("a b\\\\c\\012d\\015e\tf-ü", AclQuoting.Quote("a b\\c\nd\re\tf-ü"));
        Assert.Equal("a b\\c\nd\re\tf-ü", AclQuoting.Unquote("a b\\\\c\\012d\\015e\tf-ü"));
        Assert.Equal("ü", AclQuoting.Unquote("\\303\\274"));
        Assert.Equal("\\x\\9", AclQuoting.Unquote("\\x\\9"));
    }
}
