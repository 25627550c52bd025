using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Modules;

namespace ContainerSdk.Tests.Modules;

public class InstalledModuleFileTests
{
    private static string Write(TempDir dir, ModuleFileCorpus.Sample sample)
    {
        ModuleFileCorpus.WriteTree(dir.Path, new[] { sample });
        return Path.Combine(dir.Path, sample.RelativePath);
    }

    private static string WriteFile(TempDir dir, string relative, string text)
    {
        var path = Path.Combine(dir.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_file_with_a_root_is_installed_under_its_name_with_the_root_moved()
    {
        using var dir = new TempDir("imf");
        var installed = InstalledModuleFile.Prepare(Write(dir, ModuleFileCorpus.EasyBuildLua), null, "/opt/gcccore/12.3.0", "/opt/modulefiles");
        Assert.Equal("/opt/modulefiles/GCCcore/12.3.0.lua", installed.ImagePath);
        Assert.Equal("/opt/modulefiles", installed.ModulePath);
        Assert.Equal(ModuleFileCorpus.EasyBuildLuaPrefix, installed.FromPrefix);
        Assert.DoesNotContain(ModuleFileCorpus.EasyBuildLuaPrefix, installed.Text);
        Assert.Contains("local root = \"/opt/gcccore/12.3.0\"", installed.Text);

        var file = installed.Evaluate(new[] { "PATH=/usr/bin" });
        Assert.Equal("/opt/gcccore/12.3.0/bin", file.Operations.Single(o => o.Name == "PATH").Value);
        Assert.Empty(file.Warnings);
    }

    [Fact]
    public void A_spack_file_moves_from_the_given_prefix_into_the_given_module_path()
    {
        using var dir = new TempDir("imf");
        var installed = InstalledModuleFile.Prepare(Write(dir, ModuleFileCorpus.SpackTcl), ModuleFileCorpus.SpackTclPrefix + "/", "/opt/fftw", "/sw/modules");
        Assert.Equal("/sw/modules/fftw/3.3.10-gcc-12.3.0-ncvrkvt", installed.ImagePath);
        Assert.Equal("/sw/modules", installed.ModulePath);
        Assert.Contains("prepend-path -d {:} PATH {/opt/fftw/bin}", installed.Text);
        Assert.Equal("/opt/fftw", installed.Evaluate(Array.Empty<string>()).Operations.Single(o => o.Name == "FFTW_ROOT").Value);
    }

    [Fact]
    public void A_file_without_root_or_prefix_is_installed_as_written()
    {
        using var dir = new TempDir("imf");
        var path = Write(dir, ModuleFileCorpus.SpackLua);
        var installed = InstalledModuleFile.Prepare(path, null, "/opt/openmpi", "/");
        Assert.Null(installed.FromPrefix);
        Assert.Equal(File.ReadAllText(path), installed.Text);
        Assert.Equal("/openmpi/4.1.6-6yq3c7n.lua", installed.ImagePath);
        Assert.Equal("/", installed.ModulePath);
    }

    [Fact]
    public void A_root_built_from_the_environment_is_evaluated_with_the_image_environment_later()
    {
        using var dir = new TempDir("imf");
        var path = WriteFile(dir, "app/1", "#%Module\nset root $env(SW)/app/1\nprepend-path PATH $root/bin\n");
        var installed = InstalledModuleFile.Prepare(path, null, "/opt/app", "/opt/modulefiles");
        Assert.Null(installed.FromPrefix);
        Assert.Equal("/sw/app/1/bin", installed.Evaluate(new[] { "SW=/sw" }).Operations.Single().Value);
        var e = Assert.Throws<ContainerSdkException>(() => installed.Evaluate(Array.Empty<string>()));
        Assert.Equal((Codes.ModuleFileLoadFails, path, 2), (e.Code, e.File, e.Line));
    }

    [Theory]
    [InlineData("opt/x")]
    [InlineData("/opt/../x")]
    public void A_relative_ModulePrefix_is_CSDK1053(string prefix)
    {
        using var dir = new TempDir("imf");
        var input = new LayerInput
        {
            ItemSpec = "modules/x", Kind = LayerKind.Module, SourcePath = dir.Path, TargetPath = "/opt/x",
            ModuleFile = Write(dir, ModuleFileCorpus.SpackLua), ModulePrefix = prefix,
        };
        Assert.Equal(Codes.InvalidModulePrefix, Assert.Throws<ContainerSdkException>(() => LayerInputs.Validate(input)).Code);
        Assert.Equal(Codes.InputNotFound, Assert.Throws<ContainerSdkException>(() => LayerInputs.Validate(input with { ModulePrefix = null, ModuleFile = dir.Combine("no", "1.lua") })).Code);
    }

    [Theory]
    [InlineData("", "/opt/modulefiles")]
    [InlineData(" /sw/modules/ ", "/sw/modules")]
    [InlineData("/", "/")]
    [InlineData("modulefiles", null)]
    [InlineData("/opt/a:/opt/b", null)]
    [InlineData("/opt/../etc", null)]
    public void ContainerModulePath_is_an_absolute_image_path(string value, string? expected)
    {
        if (expected is not null) Assert.Equal(expected, Properties.ModulePath(value));
        else Assert.Equal(Codes.InvalidProperty, Assert.Throws<ContainerSdkException>(() => Properties.ModulePath(value)).Code);
    }

    [Fact]
    public void Syntax_errors_fail_when_the_file_is_prepared()
    {
        using var dir = new TempDir("imf");
        var path = WriteFile(dir, "app/1.lua", "local root = \"/sw/app\"\nprepend_path(\"PATH\", root .. \"/bin\"\n");
        var e = Assert.Throws<ContainerSdkException>(() => InstalledModuleFile.Prepare(path, null, "/opt/app", "/opt/modulefiles"));
        Assert.Equal((Codes.ModuleFileSyntax, path, 3), (e.Code, e.File, e.Line));
    }
}

public class ModuleDependenciesTests
{
    private static ModuleFile File(string fullName, string body)
        => ModuleFile.Parse(body, $"/m/{fullName}.lua", Array.Empty<string>());

    [Fact]
    public void Earlier_items_satisfy_by_name_or_full_name_later_ones_and_absent_ones_are_reported()
    {
        var gcc = File("gcc/12.3.0", "whatis(\"gcc\")\n");
        var mpi = File("openmpi/4.1.6", "depends_on(\"gcc\")\nprereq(\"gcc/12.3.0\")\nload(\"hwloc/2\")\ntry_load(\"cuda\")\nprereq_any(\"ucx\", \"gcc/12.3.0\")\n");
        var hdf5 = File("hdf5/1.14", "if not isloaded(\"openmpi/4.1.6\") then load(\"openmpi/4.1.6\") end\ndepends_on(\"zlib/1.3\")\n");
        var zlib = File("zlib/1.3", "whatis(\"zlib\")\n");

        var missing = ModuleDependencies.Check(new[] { ("modules/gcc", gcc), ("modules/mpi", mpi), ("modules/hdf5", hdf5), ("modules/zlib", zlib) });

        Assert.Equal(new[] { ("modules/mpi", "hwloc/2", 3, (string?)null), ("modules/hdf5", "zlib/1.3", 2, "modules/zlib") },
            missing.Select(m => (m.ItemSpec, m.Dependency.Alternatives.Single(), m.Dependency.Line, m.LaterItem)));
    }

    [Fact]
    public void Reports_are_warnings_at_the_modulefile_line_naming_both()
    {
        var a = File("a/1", "depends_on(\"b/2\")\n");
        var b = File("b/2", "whatis(\"b\")\n");
        var log = new RecordingLog();
        ModuleDependencies.Report(ModuleDependencies.Check(new[] { ("modules/a", a), ("modules/b", b) }), log);
        var (code, message) = Assert.Single(log.Warnings);
        Assert.Equal((Codes.ModuleDependencyNotProvided, "/m/a/1.lua", 1), (code, log.WarningPositions[0].File, log.WarningPositions[0].Line));
        Assert.Contains("modules/a", message);
        Assert.Contains("modules/b", message);
        Assert.Contains("b/2", message);
    }

    [Fact]
    public void A_second_module_of_one_family_is_a_warning_at_its_family_line()
    {
        var mpich = File("mpich/4.1", "family(\"mpi\")\n");
        var gcc = File("gcc/12", "family(\"compiler\")\n");
        var openmpi = File("openmpi/4.1", "setenv(\"A\", \"1\")\nfamily(\"MPI\")\n");
        var log = new RecordingLog();
        ModuleDependencies.Report(ModuleDependencies.CheckFamilies(new[] { ("modules/mpich", mpich), ("modules/gcc", gcc), ("modules/openmpi", openmpi) }), log);
        var (code, message) = Assert.Single(log.Warnings);
        Assert.Equal((Codes.ModuleFamilyTwice, "/m/openmpi/4.1.lua", 2), (code, log.WarningPositions[0].File, log.WarningPositions[0].Line));
        Assert.Contains("modules/mpich", message);
        Assert.Contains("unloads mpich/4.1", message);
        Assert.Empty(ModuleDependencies.CheckFamilies(new[] { ("modules/mpich", mpich), ("modules/gcc", gcc) }));
    }
}
