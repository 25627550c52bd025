namespace ContainerSdk.Tests.Modules;

/// <summary>
/// Modulefiles as sites write them every day, beyond what generators' plain files do: EasyBuild's load message
/// (<c>io.stderr:write</c> in a <c>mode() == "load"</c> block, Tcl's <c>puts stderr</c>) and its hierarchical
/// <c>family("mpi")</c>, Spack's core compiler with <c>family("compiler")</c>, Lmod's table form with priorities,
/// Lmod's helper functions (<c>myShellType</c>, <c>hierarchyA</c>, <c>isAvail</c>...) with an <c>execute</c>, a
/// hand-written Tcl file that computes its names with <c>file</c>, <c>string</c>, <c>expr</c> and the list
/// commands, and a TACC-style file calling functions its site's SitePackage.lua registers. Written for these tests.
/// </summary>
public static class ModuleFileSiteCorpus
{
    public static readonly ModuleFileCorpus.Sample EasyBuildLuaMessage = new("Trimmomatic/0.39-Java-11.lua", """
        help([==[

        Description
        ===========
        Trimmomatic performs a variety of useful trimming tasks for illumina paired-end and
         single ended data.The selection of trimming steps and their associated parameters are supplied on the command line.


        More information
        ================
         - Homepage: http://www.usadellab.org/cms/?page=trimmomatic
        ]==])

        whatis([==[Description: Trimmomatic performs a variety of useful trimming tasks for illumina paired-end and
         single ended data.]==])
        whatis([==[Homepage: http://www.usadellab.org/cms/?page=trimmomatic]==])
        whatis([==[URL: http://www.usadellab.org/cms/?page=trimmomatic]==])

        local root = "/apps/easybuild/software/Trimmomatic/0.39-Java-11"

        conflict("Trimmomatic")

        if not ( isloaded("Java/11") ) then
            load("Java/11")
        end

        prepend_path("CLASSPATH", pathJoin(root, "trimmomatic-0.39.jar"))
        setenv("EBROOTTRIMMOMATIC", root)
        setenv("EBVERSIONTRIMMOMATIC", "0.39")
        setenv("EBDEVELTRIMMOMATIC", pathJoin(root, "easybuild/Trimmomatic-0.39-Java-11-easybuild-devel"))

        if mode() == "load" then
            io.stderr:write([==[To execute Trimmomatic run: java -jar $EBROOTTRIMMOMATIC/trimmomatic-0.39.jar]==])
        end
        -- Built with EasyBuild version 4.9.0
        """, "/apps/easybuild/software/Trimmomatic/0.39-Java-11", new[] { "Java/11" })
    {
        Messages = new[] { "To execute Trimmomatic run: java -jar $EBROOTTRIMMOMATIC/trimmomatic-0.39.jar" },
    };

    public static readonly ModuleFileCorpus.Sample EasyBuildLuaFamily = new("OpenMPI/4.1.5-GCC-12.3.0.lua", """
        help([==[

        Description
        ===========
        The Open MPI Project is an open source MPI-3 implementation.
        ]==])

        whatis([==[Description: The Open MPI Project is an open source MPI-3 implementation.]==])

        local root = "/apps/easybuild/software/OpenMPI/4.1.5-GCC-12.3.0"

        conflict("OpenMPI")

        family("mpi")

        -- the hierarchy this MPI unlocks
        prepend_path("MODULEPATH", "/apps/easybuild/modules/MPI/GCC/12.3.0/OpenMPI/4.1.5")

        if not ( isloaded("hwloc/2.9.1-GCCcore-12.3.0") ) then
            load("hwloc/2.9.1-GCCcore-12.3.0")
        end

        prepend_path("CMAKE_PREFIX_PATH", root)
        prepend_path("CPATH", pathJoin(root, "include"))
        prepend_path("LD_LIBRARY_PATH", pathJoin(root, "lib"))
        prepend_path("LIBRARY_PATH", pathJoin(root, "lib"))
        prepend_path("MANPATH", pathJoin(root, "share/man"))
        prepend_path("PATH", pathJoin(root, "bin"))
        prepend_path("PKG_CONFIG_PATH", pathJoin(root, "lib/pkgconfig"))
        setenv("EBROOTOPENMPI", root)
        setenv("EBVERSIONOPENMPI", "4.1.5")
        setenv("SLURM_MPI_TYPE", "pmix")

        if mode() == "load" then
            LmodMessage("OpenMPI 4.1.5: compile with mpicc, run with srun")
        end
        -- Built with EasyBuild version 4.9.0
        """, "/apps/easybuild/software/OpenMPI/4.1.5-GCC-12.3.0", new[] { "hwloc/2.9.1-GCCcore-12.3.0" })
    {
        Messages = new[] { "OpenMPI 4.1.5: compile with mpicc, run with srun" },
    };

    public static readonly ModuleFileCorpus.Sample EasyBuildTclMessage = new("GROMACS/2023.1-foss-2023a", """
        #%Module
        proc ModulesHelp { } {
            puts stderr {

        Description
        ===========
        GROMACS is a versatile package to perform molecular dynamics.
            }
        }

        module-whatis {Description: GROMACS is a versatile package to perform molecular dynamics.}

        set root /apps/easybuild/software/GROMACS/2023.1-foss-2023a

        conflict GROMACS

        if { ![ is-loaded foss/2023a ] } {
            module load foss/2023a
        }

        prepend-path	CMAKE_PREFIX_PATH		$root
        prepend-path	LD_LIBRARY_PATH		$root/lib64
        prepend-path	PATH		$root/bin
        prepend-path	PKG_CONFIG_PATH		$root/lib64/pkgconfig
        prepend-path	XDG_DATA_DIRS		$root/share

        setenv	EBROOTGROMACS		"$root"
        setenv	EBVERSIONGROMACS		"2023.1"

        if { [ module-info mode load ] } {
        puts stderr "GROMACS 2023.1: the programs are gmx and gmx_mpi"
        }

        # Built with EasyBuild version 4.8.0
        """, "/apps/easybuild/software/GROMACS/2023.1-foss-2023a", new[] { "foss/2023a" })
    {
        Messages = new[] { "GROMACS 2023.1: the programs are gmx and gmx_mpi" },
    };

    public const string SpackCompilerPrefix = "/opt/spack/opt/spack/linux-rocky8-x86_64/gcc-8.5.0/gcc-12.3.0-xq3fojc7ffnwxyymmb6wc4j5odwlsbqr";

    public static readonly ModuleFileCorpus.Sample SpackLuaCompiler = new("gcc/12.3.0-xq3fojc.lua", $$"""
        -- -*- lua -*-
        -- Module file created by spack (https://github.com/spack/spack) on 2024-05-02 16:20:11.904417
        --
        -- gcc@12.3.0%gcc@8.5.0~binutils+bootstrap~graphite~nvptx~piclibs~profiled~strip build_system=autotools build_type=RelWithDebInfo languages='c,c++,fortran' arch=linux-rocky8-x86_64/xq3fojc
        --

        whatis([[Name : gcc]])
        whatis([[Version : 12.3.0]])
        whatis([[Target : x86_64]])
        whatis([[Short description : The GNU Compiler Collection includes front ends for C, C++, Objective-C, Fortran, Ada, and Go, as well as libraries for these languages.]])

        help([[Name   : gcc]])
        help([[Version: 12.3.0]])
        help([[Target : x86_64]])
        help()

        -- Services provided by the package
        family("compiler")

        -- Loading this module unlocks the path below unconditionally
        prepend_path("MODULEPATH", "/opt/spack/share/spack/lmod/linux-rocky8-x86_64/gcc/12.3.0")

        prepend_path("PATH", "{{SpackCompilerPrefix}}/bin", ":")
        prepend_path("MANPATH", "{{SpackCompilerPrefix}}/share/man", ":")
        prepend_path("CMAKE_PREFIX_PATH", "{{SpackCompilerPrefix}}/.", ":")
        setenv("CC", "{{SpackCompilerPrefix}}/bin/gcc")
        setenv("CXX", "{{SpackCompilerPrefix}}/bin/g++")
        setenv("FC", "{{SpackCompilerPrefix}}/bin/gfortran")
        setenv("F77", "{{SpackCompilerPrefix}}/bin/gfortran")
        append_path("MANPATH", "", ":")
        """, SpackCompilerPrefix, Array.Empty<string>());

    /// <summary>A site's file with Lmod's table forms: priorities keep entries in front (prepends) or behind (appends).</summary>
    public static readonly ModuleFileCorpus.Sample SitePriorities = new("util/2.0.lua", """
        -- util: the site's tools must win over anything loaded after them
        local root = "/util/opt/util/2.0"

        prepend_path{"PATH", pathJoin(root, "bin"), priority=100}
        prepend_path("PATH", pathJoin(root, "libexec"))
        prepend_path{"LD_LIBRARY_PATH", pathJoin(root, "lib"), priority="50"}
        prepend_path("LD_LIBRARY_PATH", pathJoin(root, "lib/stubs"))
        append_path{"MANPATH", pathJoin(root, "share/man"), delim=":", priority=10}
        append_path("MANPATH", "/usr/local/share/man")
        append_path{"UTIL_PLUGINS", pathJoin(root, "plugins/core"), delim=";"}
        append_path{"UTIL_PLUGINS", pathJoin(root, "plugins/extra"), delim=";", priority=20}
        append_path("UTIL_PLUGINS", pathJoin(root, "plugins/site"), ";")
        setenv("UTIL_HOME", root)
        """, "/util/opt/util/2.0", Array.Empty<string>());

    /// <summary>Lmod's own helper functions, answered as for a module load in a bash login shell, with an execute that runs at load.</summary>
    public static readonly ModuleFileCorpus.Sample LmodHelpers = new("conda/23.5.lua", """
        local root = "/apps/conda/23.5"
        local shell = myShellType()
        local source_prefix = pathJoin(root, "etc/profile.d/conda.")

        whatis("Name: " .. myModuleName())
        setenv("CONDA_SHELL", myShellName() .. "/" .. shell)
        setenv("CONDA_MODULE", myModuleFullName())
        setenv("CONDA_NAME", myModuleName() .. "@" .. myModuleVersion())
        setenv("CONDA_MODULEFILE", myFileName())
        local hier = hierarchyA(myModuleFullName(), 1)
        setenv("CONDA_TREE", hier[1])
        prepend_path("PATH", pathJoin(root, "condabin"))
        if isAvail("mamba") then
            setenv("CONDA_SOLVER", "libmamba")
        else
            setenv("CONDA_SOLVER", "classic")
        end
        if isAvail("no-such-module") then
            setenv("CONDA_NEVER", "1")
        end
        if not isloaded("python") then
            setenv("CONDA_PYTHON", "own")
        end
        execute{cmd="test -r " .. source_prefix .. shell .. " && source " .. source_prefix .. shell .. "; true", modeA={"load"}}
        execute{cmd="conda deactivate", modeA={"unload"}}
        """, "/apps/conda/23.5", new[] { "mamba/1.4" });

    /// <summary>Hand-written Tcl that computes its names from module-info with Tcl's file, string, expr and list commands.</summary>
    public static readonly ModuleFileCorpus.Sample HandTclBuiltins = new("site-tools/3.2", """
        #%Module1.0
        ## site-tools: every name comes from the module's own name
        set modname [module-info name]
        set name    [file dirname $modname]
        set version [file tail $modname]
        set root    /sw/apps/site-tools/3.2
        set major   [lindex [split $version .] 0]
        set upper   [string toupper [string map {- _} $name]]
        family      tools

        module-whatis "$name $version"
        if { [module-info mode load] } {
            puts stderr "Loading $name $version (series $major)"
        }
        prepend-path PATH [file join $root bin]
        prepend-path MANPATH [file normalize $root/share/./man/../man]
        setenv ${upper}_ROOT $root
        setenv ${upper}_MAJOR $major
        setenv ${upper}_PARTS [llength [split $version .]]
        setenv ${upper}_NEXT [expr {$major + 1}]
        setenv ${upper}_HALF [expr $major * 2 - 1]
        setenv ${upper}_SERIES [join [lrange [split $version .] 0 1] -]
        setenv ${upper}_LIB [file join $root lib64 /usr/lib64]
        setenv ${upper}_EXT [file extension $root/tool.tar.gz]
        setenv ${upper}_LEN [string length $name]
        setenv ${upper}_FIRST [string index $name 0][string range $name end-4 end]
        setenv ${upper}_SHELL [module-info shell]/[module-info shelltype]
        foreach dir {bin sbin libexec} {
            append-path ${upper}_DIRS $root/$dir
        }
        foreach {key value} {a 1 b 2} {
            setenv ${upper}_KEY_$key $value
        }
        if { [info exists env(SITE_TOOLS_DEBUG)] } {
            setenv ${upper}_VERBOSE 1
        } else {
            setenv ${upper}_VERBOSE 0
        }
        if { [string match *.2 $version] && [string equal -nocase [string range $name 0 3] SITE] && $major >= 3 } {
            setenv ${upper}_EVEN 1
        }
        """, "/sw/apps/site-tools/3.2", Array.Empty<string>())
    {
        Messages = new[] { "Loading site-tools 3.2 (series 3)" },
    };

    /// <summary>The site's SitePackage.lua: functions registered for modulefiles, and a SiteName hook.</summary>
    public const string TaccSitePackage = """
        -- Site functions for the site's modulefiles (loaded by Lmod before any modulefile)
        require("strict")
        local hook = require("Hook")

        local function site_name()
           return "TACC"
        end

        --- The prefix of a package's variables: TACC_<NAME>, anything but letters and digits an underscore.
        function site_pkg_base(name)
           local base = name:upper():gsub("[^%w]", "_")
           return string.format("TACC_%s", base)
        end

        --- The toolchain of an install path /home1/apps/<compiler>/<mpi>/<name>/<version>, its depth, where "apps" is.
        function site_toolchain(root)
           local compiler, mpi = root:match("^/home1/apps/(%w+)/(%w+)/")
           if compiler == nil then
              return "none"
           end
           local parts = {}
           for part in root:gmatch("[^/]+") do
              parts[#parts + 1] = part
           end
           local first, last = root:find("apps", 1, true)
           return compiler .. "-" .. mpi .. ":" .. #parts .. ":" .. first .. "-" .. last
        end

        --- Prepends a package's folders to the variables that find them; returns how many.
        function site_prepend_tree(root, kinds)
           local vars = { bin = "PATH", lib = "LD_LIBRARY_PATH", man = "MANPATH" }
           local count = 0
           for i, kind in ipairs(kinds) do
              local var = vars[kind]
              if var == nil then
                 LmodError("site_prepend_tree: unknown kind " .. kind)
              end
              prepend_path(var, pathJoin(root, kind == "man" and "share/man" or kind))
              count = count + 1
           end
           return count
        end

        --- Where the modules built with this one live.
        function site_derived_modulepath(family)
           local mpath_root = os.getenv("MODULEPATH_ROOT") or "/opt/apps/modulefiles"
           return pathJoin(mpath_root, family, myModuleName(), myModuleVersion())
        end

        hook.register("SiteName", site_name)

        sandbox_registration{
           site_pkg_base = site_pkg_base,
           site_toolchain = site_toolchain,
           site_prepend_tree = site_prepend_tree,
           site_derived_modulepath = site_derived_modulepath,
        }
        """;

    public static readonly ModuleFileCorpus.Sample TaccStyle = new("lammps/2Aug2023.lua", """
        local help_message = [[
        LAMMPS is a classical molecular dynamics code with a focus on materials modeling.

        The module defines TACC_LAMMPS_DIR and TACC_LAMMPS_BIN.
        ]]

        help(help_message, "\n")

        whatis("Name: LAMMPS")
        whatis("Version: 2Aug2023")
        whatis("Category: application, chemistry")

        local pkgName = myModuleName()
        local pkgVersion = myModuleVersion()
        local root = "/home1/apps/intel23/impi21/lammps/2Aug2023"
        local base = site_pkg_base(pkgName)

        local n = site_prepend_tree(root, { "bin", "lib", "man" })
        setenv(base .. "_DIR", root)
        setenv(base .. "_BIN", pathJoin(root, "bin"))
        setenv(base .. "_KINDS", tostring(n))
        setenv(base .. "_TOOLCHAIN", site_toolchain(root))
        setenv(base .. "_TAG", (pkgVersion:gsub("(%d+)(%a+)(%d+)", "%3-%2-%1")))
        setenv(base .. "_MAP", (("bin:lib:man"):gsub("%a+", { bin = "B", man = false })))
        setenv(base .. "_TITLE", (pkgName:gsub("^%l", string.upper)))
        setenv(base .. "_BALANCED", ("f(a(b)c)d"):match("%b()") .. (pkgVersion:find("%d%a") and "+" or "-"))
        prepend_path("MODULEPATH", site_derived_modulepath("MPI"))
        family("md")

        if mode() == "load" then
           LmodMessage("LAMMPS " .. pkgVersion .. ": run with ibrun lmp")
        end
        """, "/home1/apps/intel23/impi21/lammps/2Aug2023", Array.Empty<string>())
    {
        SitePackage = TaccSitePackage,
        Messages = new[] { "LAMMPS 2Aug2023: run with ibrun lmp" },
    };
}
