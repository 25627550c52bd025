using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Modules;

namespace ContainerSdk.Tests.Modules;

/// <summary>A construct left open names where it opened, as luac does ("(to close '(' at line 5)").</summary>
public class LuaUnclosedTests
{
    private static ContainerSdkException Fails(string text) =>
        Assert.Throws<ContainerSdkException>(() => ModuleFile.Parse(text, "/modules/a/1.lua", new[] { "PATH=/bin" }));

    [Theory]
    [InlineData("whatis(\"a\")\n\n\n\nprepend_path(\"PATH\", \"/x\"\nsetenv(\"A\", \"1\")\n", "')' expected (to close '(' at line 5)")]
    [InlineData("if true then\n  setenv(\"A\", \"1\")\n", "'end' expected (to close 'if' at line 1)")]
    [InlineData("local t = {\n  \"a\",\n\nsetenv(\"A\", \"1\")\n", "'}' expected (to close '{' at line 1)")]
    [InlineData("local function f()\n  setenv(\"A\", \"1\")\n", "'end' expected (to close 'function' at line 1)")]
    public void The_error_names_the_line_that_opened_it(string text, string expected)
    {
        var e = Fails(text);
        Assert.Equal(Codes.ModuleFileSyntax, e.Code);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void On_the_same_line_it_says_only_what_is_expected()
    {
        var e = Fails("setenv(\"A\", \"1\" \"2\")\n");
        Assert.DoesNotContain("to close", e.Message);
    }
}
