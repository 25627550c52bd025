using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Modules;

namespace ContainerSdk.Tests.Modules;

/// <summary>
/// What sites' modulefiles do besides setting variables: commands run at load (a warning, or an error when they are
/// all the file does), messages, and the site's SitePackage.lua (errors in it point at it).
/// </summary>
public class ModuleFileSiteTests
{
    private static readonly string[] Image = { "PATH=/usr/bin:/bin", "HOME=/root" };

    private static ModuleFile Parse(string relativePath, string text, LmodSitePackage? site = null)
        => ModuleFile.Parse(text, Path.Combine("/modules", relativePath), Image, null, site);

    [Fact]
    public void Execute_and_source_sh_are_warnings_at_their_lines_when_the_file_sets_something_too()
    {
        var lua = Parse("conda/1.lua", "setenv(\"A\", \"1\")\nexecute{cmd=\"source /a/conda.\" .. myShellType(), modeA={\"load\"}}\nexecute{cmd=\"conda deactivate\", modeA={\"unload\"}}\nsource_sh(\"bash\", \"/a/env.sh\")\n");
        Assert.Equal(new[] { (Codes.ModuleCommandAtLoad, 2), (Codes.ModuleCommandAtLoad, 4) }, lua.Warnings.Select(w => (w.Code, w.Line)));
        Assert.Contains("'source /a/conda.sh' at module load inside the image", lua.Warnings[0].Message);
        Assert.Contains("not in the image config", lua.Warnings[1].Message);

        var tcl = Parse("conda/1", "#%Module\nsetenv A 1\nsource-sh bash /a/env.sh\n");
        Assert.Equal((Codes.ModuleCommandAtLoad, 3), (tcl.Warnings.Single().Code, tcl.Warnings.Single().Line));
    }

    [Fact]
    public void A_file_whose_only_effect_is_a_command_is_an_error_at_the_command()
    {
        var e = Assert.Throws<ContainerSdkException>(() => Parse("env/1.lua", "whatis(\"env\")\n\nexecute{cmd=\"ulimit -s unlimited\", modeA={\"all\"}}\n"));
        Assert.Equal((Codes.ModuleFileOnlyCommands, 3), (e.Code, e.Line));
        // Only commands that run on load count: an unload-only command leaves nothing to say.
        Assert.Empty(Parse("env/1.lua", "setenv(\"A\", \"1\")\nexecute{cmd=\"x\", modeA={\"unload\"}}\n").Warnings);
    }

    [Fact]
    public void Messages_are_kept_in_order_with_their_lines_and_are_not_warnings()
    {
        var lua = Parse("a/1.lua", "if mode() == \"load\" then\n  io.stderr:write(\"one \", 2, \"\\n\")\nend\nLmodMessage(\"three\")\nif mode() == \"unload\" then\n  LmodMessage(\"never\")\nend\nsetenv(\"A\", \"1\")\n");
        Assert.Equal(new[] { ("one 2\n", 2), ("three", 4) }, lua.Messages.Select(m => (m.Text, m.Line)));
        Assert.Empty(lua.Warnings);

        // An if whose branches only print needs no condition the SDK can read; a readable one is evaluated.
        var tcl = Parse("a/1", "#%Module\nif {[regexp x $y]} {\n  puts stderr \"skipped\"\n}\nif {[module-info mode load]} {\n  puts stderr \"loading\"\n}\nsetenv A 1\n");
        Assert.Equal(new[] { ("loading", 6) }, tcl.Messages.Select(m => (m.Text, m.Line)));
    }

    [Fact]
    public void Site_package_functions_are_called_only_when_registered_and_their_errors_point_at_the_site_package()
    {
        var site = new LmodSitePackage("/site/SitePackage.lua", """
            local hook = require("Hook")
            function site_root(name)
               return pathJoin("/apps", name)
            end
            function not_registered() return "x" end
            function broken(name)
               return name .. os.getenv("NOT_IN_THE_IMAGE")
            end
            hook.register("load", function (t) end)
            sandbox_registration{ site_root = site_root, broken = broken }
            """);
        var file = Parse("tool/1.lua", "setenv(\"TOOL\", site_root(myModuleName()))\n", site);
        Assert.Equal("/apps/tool", file.Operations.Single().Value);
        var hook = file.Warnings.Single();
        Assert.Equal((Codes.ModuleCommandAtLoad, "/site/SitePackage.lua", 9), (hook.Code, hook.File, hook.Line));

        var unregistered = Assert.Throws<ContainerSdkException>(() => Parse("tool/1.lua", "setenv(\"A\", not_registered())\n", site));
        Assert.Equal((Codes.ModuleFileUnsupported, "/modules/tool/1.lua", 1), (unregistered.Code, unregistered.File, unregistered.Line));
        Assert.Contains("not_registered", unregistered.Message);

        var inside = Assert.Throws<ContainerSdkException>(() => Parse("tool/1.lua", "\nsetenv(\"A\", broken(\"x\"))\n", site));
        Assert.Equal((Codes.ModuleFileLoadFails, "/site/SitePackage.lua", 7), (inside.Code, inside.File, inside.Line));
        Assert.Contains("/modules/tool/1.lua", inside.Message);

        var syntax = Assert.Throws<ContainerSdkException>(() => Parse("tool/1.lua", "setenv(\"A\", \"1\")\n", new LmodSitePackage("/site/SitePackage.lua", "\nfunction f(\n")));
        Assert.Equal((Codes.ModuleFileSyntax, "/site/SitePackage.lua"), (syntax.Code, syntax.File));
    }

    [Fact]
    public void Family_sets_the_site_family_variables_too_when_the_site_has_a_name()
    {
        var site = new LmodSitePackage("/site/SitePackage.lua", "local hook = require(\"Hook\")\nhook.register(\"SiteName\", function () return \"HPC\" end)\n");
        var file = Parse("openmpi/4.1.lua", "family(\"mpi\")\n", site);
        Assert.Equal(new[] { "LMOD_FAMILY_MPI=openmpi", "LMOD_FAMILY_MPI_VERSION=4.1", "HPC_FAMILY_MPI=openmpi", "HPC_FAMILY_MPI_VERSION=4.1" },
            file.Operations.Select(o => $"{o.Name}={o.Value}"));
    }

    [Fact]
    public void The_helpers_answer_for_the_installed_file_in_bash()
    {
        var file = ModuleFile.Parse("setenv(\"A\", myFileName() .. \" \" .. myShellName() .. \" \" .. myShellType() .. \" \" .. hierarchyA(\"openmpi/4.1\", 2)[1] .. \" \" .. hierarchyA(\"openmpi/4.1\", 2)[2] .. \" \" .. tostring(isAvail(\"gcc\")))\n",
            "/src/openmpi/4.1.lua", Image, null, null, "/opt/modulefiles/Compiler/gcc/12/openmpi/4.1.lua", new HashSet<string> { "gcc" });
        Assert.Equal("/opt/modulefiles/Compiler/gcc/12/openmpi/4.1.lua bash sh gcc/12 modulefiles/Compiler true", file.Operations.Single().Value);
    }
}
