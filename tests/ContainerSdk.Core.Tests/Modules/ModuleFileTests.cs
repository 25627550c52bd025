using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Modules;

namespace ContainerSdk.Tests.Modules;

public class ModuleFileTests
{
    private static readonly string[] Image = { "PATH=/usr/bin:/bin", "HOME=/root" };

    private static ModuleFile Read(ModuleFileCorpus.Sample sample, string[]? env = null)
    {
        using var dir = new TempDir("mf");
        ModuleFileCorpus.WriteTree(dir.Path, new[] { sample });
        return ModuleFile.Read(Path.Combine(dir.Path, sample.RelativePath), env ?? Image);
    }

    private static ContainerSdkException Fails(string relativePath, string text, string[]? env = null)
    {
        using var dir = new TempDir("mf");
        var path = Path.Combine(dir.Path, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        var e = Assert.Throws<ContainerSdkException>(() => ModuleFile.Read(path, env ?? Image));
        Assert.Equal(path, e.File);
        return e;
    }

    [Fact]
    public void EasyBuild_lua_names_root_dependencies_and_operations()
    {
        var file = Read(ModuleFileCorpus.EasyBuildLua);
        Assert.Equal(("GCCcore", "12.3.0", "GCCcore/12.3.0", "12.3.0.lua"), (file.Name, file.Version, file.FullName, file.InstalledFileName));
        Assert.Equal(ModuleFileLanguage.Lua, file.Language);
        Assert.Equal(ModuleFileCorpus.EasyBuildLuaPrefix, file.Root);
        var dependency = Assert.Single(file.Dependencies);
        Assert.Equal(("load", "binutils/2.40-GCCcore-12.3.0", 24), (dependency.Statement, dependency.Alternatives.Single(), dependency.Line));
        Assert.Equal(12, file.Operations.Count);
        Assert.Equal(new EnvironmentOperation(EnvironmentOperationKind.Prepend, "PATH", ModuleFileCorpus.EasyBuildLuaPrefix + "/bin", ":", 34), file.Operations[7]);
        Assert.Equal(new EnvironmentOperation(EnvironmentOperationKind.Set, "EBROOTGCCCORE", ModuleFileCorpus.EasyBuildLuaPrefix, ":", 36), file.Operations[9]);
        Assert.Empty(file.Warnings);
    }

    [Fact]
    public void EasyBuild_tcl_names_root_and_guarded_load()
    {
        var file = Read(ModuleFileCorpus.EasyBuildTcl);
        Assert.Equal(("zlib", "1.2.13-GCCcore-12.3.0", "1.2.13-GCCcore-12.3.0"), (file.Name, file.Version, file.InstalledFileName));
        Assert.Equal(ModuleFileLanguage.Tcl, file.Language);
        Assert.Equal(ModuleFileCorpus.EasyBuildTclPrefix, file.Root);
        Assert.Equal(("load", "GCCcore/12.3.0", 29), (file.Dependencies.Single().Statement, file.Dependencies.Single().Alternatives.Single(), file.Dependencies.Single().Line));
        Assert.Equal(new EnvironmentOperation(EnvironmentOperationKind.Set, "EBDEVELZLIB", ModuleFileCorpus.EasyBuildTclPrefix + "/easybuild/zlib-1.2.13-GCCcore-12.3.0-easybuild-devel", ":", 41),
            file.Operations[^1]);
    }

    [Fact]
    public void Spack_files_have_no_root_and_name_their_dependencies()
    {
        var lua = Read(ModuleFileCorpus.SpackLua);
        Assert.Null(lua.Root);
        Assert.Equal(new[] { "hwloc/2.9.1-lxfqbfm", "zlib-ng/2.1.4-bnjs5kv" }, lua.Dependencies.Select(d => d.Alternatives.Single()));
        Assert.All(lua.Dependencies, d => Assert.Equal("depends_on", d.Statement));
        Assert.Contains(lua.Operations, o => o is { Kind: EnvironmentOperationKind.Unset, Name: "OMPI_MCA_coll_hcoll_enable", Value: null });

        var tcl = Read(ModuleFileCorpus.SpackTcl);
        Assert.Equal(new[] { ("depends_on", "openmpi/4.1.6-gcc-12.3.0-6yq3c7n", 27), ("prereq_any", "gcc-runtime/12.3.0-gcc-12.3.0-k3hbefg", 29) },
            tcl.Dependencies.Select(d => (d.Statement, d.Alternatives.Single(), d.Line)));
        Assert.Equal(new EnvironmentOperation(EnvironmentOperationKind.Append, "MANPATH", "", ":", 38), tcl.Operations[^1]);
    }

    [Fact]
    public void Hand_written_files_warn_about_aliases_and_built_prefixes()
    {
        var lua = Read(ModuleFileCorpus.HandLua);
        var warning = Assert.Single(lua.Warnings);
        Assert.Equal((Codes.ModuleStatementIgnored, 30), (warning.Code, warning.Line));

        var tcl = Read(ModuleFileCorpus.HandTcl);
        Assert.Equal("/sw/tools/2.1", tcl.Root);
        var moved = tcl.Relocated("/opt/tools", Image);
        Assert.Equal(moved.Text, tcl.Text);
        Assert.Contains(moved.Warnings, w => w.Code == Codes.ModulePathNotMoved && w.Line == 10 && w.Message.Contains("/sw/tools/2.1/bin"));
    }

    [Fact]
    public void Getenv_reads_the_image_environment_never_the_process()
    {
        Environment.SetEnvironmentVariable("CSDK_TEST_ONLY_IN_PROCESS", "leak");
        try
        {
            var lua = Parse("x/1.lua", "setenv(\"A\", os.getenv(\"CSDK_TEST_ONLY_IN_PROCESS\") or \"none\")\nsetenv(\"B\", os.getenv(\"IMG\"))\n", "IMG=img");
            Assert.Equal(new[] { "none", "img" }, lua.Operations.Select(o => o.Value));
            var e = Fails("x/1", "#%Module\nsetenv A $env(CSDK_TEST_ONLY_IN_PROCESS)\n");
            Assert.Equal((Codes.ModuleFileLoadFails, 2), (e.Code, e.Line));
        }
        finally { Environment.SetEnvironmentVariable("CSDK_TEST_ONLY_IN_PROCESS", null); }
    }

    private static ModuleFile Parse(string relativePath, string text, params string[] env)
        => ModuleFile.Parse(text, Path.Combine("/modules", relativePath), env);

    [Theory]
    [InlineData("a/1.lua", "setenv(\"A\", \"x\")\nprepend_path(\"PATH\", \"/x\"\n", Codes.ModuleFileSyntax, 3)]
    [InlineData("a/1.lua", "local s = \"open\nsetenv(\"A\", s)\n", Codes.ModuleFileSyntax, 1)]
    [InlineData("a/1.lua", "help([[\n\n]])\nwhatis(\"a\")\nif x then\nsetenv(\"A\", \"1\")\n", Codes.ModuleFileSyntax, 7)]
    [InlineData("a/1.lua", "whatis(\"a\")\n\nsource_sh(\"bash\", \"/opt/a/env.sh\")\n", Codes.ModuleFileOnlyCommands, 3)]
    [InlineData("a/1.lua", "whatis(\"a\")\nos.execute(\"echo hi\")\n", Codes.ModuleFileUnsupported, 2)]
    [InlineData("a/1.lua", "execute{cmd=\"ulimit -s unlimited\", modeA={\"load\"}}\n", Codes.ModuleFileOnlyCommands, 1)]
    [InlineData("a/1.lua", "execute{cmd=\"ulimit -s unlimited\"}\n", Codes.ModuleFileLoadFails, 1)]
    [InlineData("a/1.lua", "local r = \"/a\"\nwhile r do\n  prepend_path(\"PATH\", r)\nend\n", Codes.ModuleFileUnsupported, 2)]
    [InlineData("a/1.lua", "setenv(\"A\", (\"x\"):reverse())\n", Codes.ModuleFileUnsupported, 1)]
    [InlineData("a/1.lua", "if site.debug then\n  setenv(\"A\", \"1\")\nend\n", Codes.ModuleFileLoadFails, 1)]
    [InlineData("a/1.lua", "setenv(\"A\", (\"x\"):gsub(\"x\", \"%2\"))\n", Codes.ModuleFileLoadFails, 1)]
    [InlineData("a/1.lua", "\nsetenv(\"A\", (\"x\"):match(\"[x\"))\n", Codes.ModuleFileLoadFails, 2)]
    [InlineData("a/1.lua", "setenv(\"A\", userInGroups(\"staff\") and \"1\" or \"0\")\n", Codes.ModuleFileUnsupported, 1)]
    [InlineData("a/1.lua", "local function f(n) return f(n) end\nsetenv(\"A\", f(1))\n", Codes.ModuleFileLoadFails, 1)]
    [InlineData("a/1.lua", "setenv(\"A\", \"1\")\nadd_to_path(\"PATH\", \"/x\")\n", Codes.ModuleFileUnsupported, 2)]
    [InlineData("a/1.lua", "prepend_path{\"PATH\", \"/x\", priority=\"high\"}\n", Codes.ModuleFileUnsupported, 1)]
    [InlineData("a/1.lua", "setenv{\"A\", \"/x\", priority=10}\n", Codes.ModuleFileUnsupported, 1)]
    [InlineData("a/1.lua", "\nappend_path{\"PATH\", \"/x\", priority=5}\n", Codes.ModuleFileLoadFails, 2)]
    [InlineData("a/1.lua", "\nsetenv(\"A\", os.getenv(\"NOT_SET\") .. \"/x\")\n", Codes.ModuleFileLoadFails, 2)]
    [InlineData("a/1.lua", "LmodError(\"not on this system\")\n", Codes.ModuleFileLoadFails, 1)]
    [InlineData("a/1", "#%Module\nsetenv A {x\n", Codes.ModuleFileSyntax, 2)]
    [InlineData("a/1", "#%Module\nif { 1 } {\n  setenv A [is-loaded x\n}\n", Codes.ModuleFileSyntax, 3)]
    [InlineData("a/1", "setenv A 1\n", Codes.ModuleFileSyntax, 1)]
    [InlineData("a/1", "#%Module\n\nsource-sh bash /opt/a/env.sh\n", Codes.ModuleFileOnlyCommands, 3)]
    [InlineData("a/1", "#%Module\nsetenv A [file exists /opt/a]\n", Codes.ModuleFileUnsupported, 2)]
    [InlineData("a/1", "#%Module\nsetenv A [file normalize ../a]\n", Codes.ModuleFileUnsupported, 2)]
    [InlineData("a/1", "#%Module\nsetenv A [string wordend abc 1]\n", Codes.ModuleFileUnsupported, 2)]
    [InlineData("a/1", "#%Module\nsetenv A [expr {1 / 0}]\n", Codes.ModuleFileUnsupported, 2)]
    [InlineData("a/1", "#%Module\nsetenv A 1\nsystem \"ulimit -s\"\n", Codes.ModuleFileUnsupported, 3)]
    [InlineData("a/1", "#%Module\nprepend-path PATH /a /b\n", Codes.ModuleFileUnsupported, 2)]
    [InlineData("a/1", "#%Module\nputs stdout \"export A=1\"\n", Codes.ModuleFileUnsupported, 2)]
    [InlineData("a/1", "#%Module\nwhile {1} {\n  prepend-path PATH /a\n}\n", Codes.ModuleFileUnsupported, 2)]
    [InlineData("a/1.lua", "for i = 1, 100000 do\n  for j = 1, 100000 do\n    local x = i\n  end\nend\n", Codes.ModuleFileUnsupported, 3)]
    [InlineData("a/1", "#%Module\nif {[regexp x* $env(HOME)]} {\n  setenv A 1\n}\n", Codes.ModuleFileUnsupported, 2)]
    [InlineData("a/1", "#%Module\nsetenv A $nope\n", Codes.ModuleFileLoadFails, 2)]
    public void What_cannot_be_applied_is_a_coded_error_at_its_line(string relativePath, string text, string code, int line)
    {
        var e = Fails(relativePath, text);
        Assert.Equal((code, line), (e.Code, e.Line));
        Assert.StartsWith("CSDK", e.Code);
    }

    [Fact]
    public void A_missing_modulefile_is_input_not_found()
    {
        using var dir = new TempDir("mf");
        var path = Path.Combine(dir.Path, "a", "1.lua");
        var e = Assert.Throws<ContainerSdkException>(() => ModuleFile.Read(path, Image));
        Assert.Equal(Codes.InputNotFound, e.Code);
        Assert.Null(e.File);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Statements_that_change_nothing_are_passed_over()
    {
        var lua = Parse("a/1.lua", "whatis[[x]]\nhelp()\nconflict(\"a\")\nadd_property(\"lmod\", \"sticky\")\nextensions(\"numpy/1.0\")\nunload(\"b\")\n");
        Assert.Empty(lua.Operations);
        Assert.Empty(lua.Warnings);
        var tcl = Parse("a/1", "#%Module\nproc ModulesHelp { } {\n  puts stderr {[not run]}\n}\nmodule-whatis {x}\nconflict a\nmodule unload b\nputs stderr \"loading\"\n");
        Assert.Empty(tcl.Operations);
    }

    [Fact]
    public void Prepending_to_an_unset_variable_leaves_no_empty_entry()
    {
        var file = Parse("a/1.lua", "prepend_path(\"LD_LIBRARY_PATH\", \"/a/lib\")\nappend_path(\"CPATH\", \"/a/include\")\nprepend_path(\"EMPTY\", \"/e\")\n");
        var env = ModuleEnvironment.Apply(new[] { "PATH=/bin", "EMPTY=" }, file.Operations);
        Assert.Equal(new[] { "PATH=/bin", "EMPTY=/e", "LD_LIBRARY_PATH=/a/lib", "CPATH=/a/include" }, env);
    }

    [Theory]
    [InlineData("local root = \"/apps/gcc\"\nprepend_path(\"PATH\", \"/apps/gcc/bin\")\nsetenv(\"F\", \"-I/apps/gcc/include -L/apps/gcc-12/lib /opt/apps/gcc\")\n",
        "local root = \"/new/gcc\"\nprepend_path(\"PATH\", \"/new/gcc/bin\")\nsetenv(\"F\", \"-I/new/gcc/include -L/apps/gcc-12/lib /opt/apps/gcc\")\n")]
    [InlineData("local root = \"/apps/gcc/\"\nsetenv(\"A\", \"/x:/apps/gcc:/apps/gcc.old\")\n", "local root = \"/new/gcc/\"\nsetenv(\"A\", \"/x:/new/gcc:/apps/gcc.old\")\n")]
    public void Relocation_moves_whole_paths_only(string text, string expected)
    {
        var file = Parse("gcc/12.lua", text);
        var moved = file.Relocated("/new/gcc/", Image);
        Assert.Equal(expected, moved.Text);
        Assert.StartsWith("/new/gcc", moved.Root);
    }

    [Fact]
    public void Relocation_uses_the_given_prefix_for_files_without_a_root()
    {
        var file = Parse("zlib/1.3.lua", "prepend_path(\"PATH\", \"/spack/zlib-abc/bin\", \":\")\n");
        Assert.Same(file, file.Relocated("/opt/zlib", Image));
        var moved = file.Relocated("/opt/zlib", Image, from: "/spack/zlib-abc");
        Assert.Equal("/opt/zlib/bin", moved.Operations.Single().Value);
    }
}
