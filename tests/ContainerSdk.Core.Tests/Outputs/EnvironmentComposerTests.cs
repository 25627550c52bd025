using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Outputs;

using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Outputs;

public class EnvironmentComposerTests
{
    private static IReadOnlyList<string> Compose(params string[] pairs)
    {
        var env = new EnvironmentComposer();
        foreach (var p in pairs) env.AddExpanded(p, "modules/x");
        return env.Entries;
    }

    [Fact]
    public void Starts_from_the_default_path()
        => Assert.Equal(new[] { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" }, Compose());

    [Fact]
    public void Path_prepend_expands_and_replaces_in_place()
        => Assert.Equal(
            new[] { "PATH=/opt/mpi/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "A=1" },
            Compose("A=1", "PATH=/opt/mpi/bin:$PATH"));

    [Fact]
    public void Braced_and_bare_references_and_unset_names()
        => Assert.Equal(
            new[] { EnvironmentComposer.DefaultPath, "X=lib", "Y=/opt/lib64:/opt/lib/", "Z=-" },
            Compose("X=lib", "Y=/opt/${X}64:/opt/$X/$UNSET", "Z=${NOPE}-"));

    [Fact]
    public void Later_value_replaces_earlier_keeping_position()
        => Assert.Equal(
            new[] { EnvironmentComposer.DefaultPath, "A=1:2", "B=b" },
            Compose("A=1", "B=b", "A=$A:2"));

    [Fact]
    public void Dollar_dollar_is_literal_and_lone_dollars_stay()
        => Assert.Equal(
            new[] { EnvironmentComposer.DefaultPath, "P=$HOME costs $5 and $", "Q=a=b" },
            Compose("P=$$HOME costs $5 and $", "Q=a=b"));

    [Fact]
    public void A_path_entry_that_refers_to_nothing_leaves_no_empty_entry()
        => Assert.Equal(
            new[] { EnvironmentComposer.DefaultPath, "E=", "LD_LIBRARY_PATH=/x/lib", "CPATH=/a:/b", "MANPATH=/m", "Q=pre:/q", "R=" },
            Compose("E=", "LD_LIBRARY_PATH=/x/lib:$LD_LIBRARY_PATH", "CPATH=${CPATH}:/a:$E:/b", "MANPATH=$E:/m:${NOPE}",
                    "Q=pre$NOPE:/q", "R=$NOPE:$E"));

    [Fact]
    public void Reference_to_its_own_earlier_layer_value()
    {
        var env = new EnvironmentComposer();
        env.AddExpanded("LD_LIBRARY_PATH=/a", "base");
        env.AddExpanded("LD_LIBRARY_PATH=/b:$LD_LIBRARY_PATH", "mod");
        env.SetLiteral("LD_LIBRARY_PATH", "$LD_LIBRARY_PATH:/c"); // settings are literal
        Assert.Equal("$LD_LIBRARY_PATH:/c", env["LD_LIBRARY_PATH"]);
    }

    [Theory]
    [InlineData("NOEQUALS", "no '='")]
    [InlineData("=value", "empty")]
    [InlineData("1BAD=x", "'1BAD' is not a variable name")]
    [InlineData("BAD-NAME=x", "'BAD-NAME' is not a variable name")]
    [InlineData("A=${UNTERMINATED", "no closing '}'")]
    [InlineData("A=${B-C}", "does not name a variable")]
    [InlineData("A=${}", "does not name a variable")]
    public void Invalid_syntax_is_a_user_error_naming_item_and_pair(string pair, string why)
    {
        var e = Assert.Throws<ContainerSdkException>(() => new EnvironmentComposer().AddExpanded(pair, "modules/openmpi"));
        Assert.Equal(Codes.InvalidEnvironment, e.Code);
        Assert.Contains("modules/openmpi", e.Message);
        Assert.Contains($"'{pair}'", e.Message);
        Assert.Contains(why, e.Message);
    }
}
