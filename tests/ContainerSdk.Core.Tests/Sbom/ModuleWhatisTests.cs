using ContainerSdk.Core.Sbom;

namespace ContainerSdk.Core.Tests.Sbom;

public sealed class ModuleWhatisTests
{
    [Fact]
    internal void EasyBuild_Lua_gives_description_and_homepage()
    {
        var whatis = ModuleWhatis.Read("""
            help([==[

            Description
            ===========
            GCC is the GNU Compiler Collection.
            ]==])

            whatis([==[Description: The GNU Compiler Collection includes front ends for C, C++,
             Objective-C, Fortran, Java, and Ada.]==])
            whatis([==[Homepage: https://gcc.gnu.org/]==])
            whatis([==[URL: https://gcc.gnu.org/]==])

            local root = "/apps/software/GCCcore/12.3.0"
            """);
        Assert.Equal(new ModuleWhatis(null, null,
            "The GNU Compiler Collection includes front ends for C, C++, Objective-C, Fortran, Java, and Ada.", "https://gcc.gnu.org/"), whatis);
    }

    [Fact]
    internal void Spack_Lua_gives_name_version_and_short_description()
    {
        var whatis = ModuleWhatis.Read("""
            whatis([[Name : openmpi]])
            whatis([[Version : 4.1.6]])
            whatis([[Target : x86_64_v3]])
            whatis([[Short description : An open source Message Passing Interface implementation.]])
            """);
        Assert.Equal(new ModuleWhatis("openmpi", "4.1.6", "An open source Message Passing Interface implementation.", null), whatis);
    }

    [Fact]
    internal void Tcl_whatis_in_braces_quotes_or_bare_words()
    {
        Assert.Equal(new ModuleWhatis(null, null, "Greets.", null), ModuleWhatis.Read("#%Module1.0\nmodule-whatis {Greets.}\nsetenv X 1\n"));
        Assert.Equal(new ModuleWhatis(null, "2.3", "A tool", "http://tool.example/"),
            ModuleWhatis.Read("#%Module\nmodule-whatis \"Description: A tool\"\nmodule-whatis {Version: 2.3}\nmodule-whatis Homepage: http://tool.example/\n"));
    }

    [Fact]
    internal void A_homepage_that_is_no_web_address_is_left_out_and_a_bare_URL_is_no_key()
    {
        Assert.Null(ModuleWhatis.Read("whatis(\"Homepage: see the wiki\")").Homepage);
        Assert.Equal("https://example.org/x", ModuleWhatis.Read("whatis(\"https://example.org/x\")").Description);
        Assert.Equal(ModuleWhatis.None, ModuleWhatis.Read("setenv(\"X\", \"whatis\")"));
    }
}
