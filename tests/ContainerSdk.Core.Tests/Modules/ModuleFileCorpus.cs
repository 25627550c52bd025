namespace ContainerSdk.Tests.Modules;

/// <summary>
/// Modulefiles as the generators write them: EasyBuild's Lua and Tcl generators (help and whatis blocks, local/set
/// root, conflict, the is-loaded/load guard, pathJoin, the EBROOT/EBVERSION/EBDEVEL variables), Spack's Lua and Tcl
/// templates (whatis/help lines, family, depends_on/depends-on with the guard for old Environment Modules, prereq,
/// -d {:} delimiters, the trailing MANPATH entry), an older Spack Tcl template, and hand-written files using string
/// concatenation, os.getenv/$env and the less common statements (remove_path, pushenv, unsetenv, delimiters).
/// </summary>
public static class ModuleFileCorpus
{
    public sealed record Sample(string RelativePath, string Text, string? Prefix, string[] Dependencies)
    {
        /// <summary>The site's SitePackage.lua the file needs (Lmod finds it through LMOD_PACKAGE_PATH), or null.</summary>
        public string? SitePackage { get; init; }

        /// <summary>What the file prints on load, each of which Lmod's stderr has too.</summary>
        public string[] Messages { get; init; } = Array.Empty<string>();

        public override string ToString() => RelativePath;
    }

    public const string EasyBuildLuaPrefix = "/apps/easybuild/software/GCCcore/12.3.0";

    public static readonly Sample EasyBuildLua = new("GCCcore/12.3.0.lua", """
        help([==[

        Description
        ===========
        The GNU Compiler Collection includes front ends for C, C++, Objective-C, Fortran, Java, and Ada,
         as well as libraries for these languages (libstdc++, libgcj,...).


        More information
        ================
         - Homepage: https://gcc.gnu.org/
        ]==])

        whatis([==[Description: The GNU Compiler Collection includes front ends for C, C++, Objective-C, Fortran, Java, and Ada,
         as well as libraries for these languages (libstdc++, libgcj,...).]==])
        whatis([==[Homepage: https://gcc.gnu.org/]==])
        whatis([==[URL: https://gcc.gnu.org/]==])

        local root = "/apps/easybuild/software/GCCcore/12.3.0"

        conflict("GCCcore")

        if not ( isloaded("binutils/2.40-GCCcore-12.3.0") ) then
            load("binutils/2.40-GCCcore-12.3.0")
        end

        prepend_path("CMAKE_LIBRARY_PATH", pathJoin(root, "lib64"))
        prepend_path("CMAKE_PREFIX_PATH", root)
        prepend_path("LD_LIBRARY_PATH", pathJoin(root, "lib"))
        prepend_path("LD_LIBRARY_PATH", pathJoin(root, "lib64"))
        prepend_path("LIBRARY_PATH", pathJoin(root, "lib"))
        prepend_path("LIBRARY_PATH", pathJoin(root, "lib64"))
        prepend_path("MANPATH", pathJoin(root, "share/man"))
        prepend_path("PATH", pathJoin(root, "bin"))
        prepend_path("XDG_DATA_DIRS", pathJoin(root, "share"))
        setenv("EBROOTGCCCORE", root)
        setenv("EBVERSIONGCCCORE", "12.3.0")
        setenv("EBDEVELGCCCORE", pathJoin(root, "easybuild/GCCcore-12.3.0-easybuild-devel"))

        -- Built with EasyBuild version 4.8.2
        """, EasyBuildLuaPrefix, new[] { "binutils/2.40-GCCcore-12.3.0" });

    public const string EasyBuildTclPrefix = "/apps/easybuild/software/zlib/1.2.13-GCCcore-12.3.0";

    public static readonly Sample EasyBuildTcl = new("zlib/1.2.13-GCCcore-12.3.0", """
        #%Module
        proc ModulesHelp { } {
            puts stderr {

        Description
        ===========
        zlib is designed to be a free, general-purpose, legally unencumbered -- that is,
         not covered by any patents -- lossless data-compression library for use on virtually any
         computer hardware and operating system.


        More information
        ================
         - Homepage: https://www.zlib.net/
            }
        }

        module-whatis {Description: zlib is designed to be a free, general-purpose, legally unencumbered -- that is,
         not covered by any patents -- lossless data-compression library for use on virtually any
         computer hardware and operating system.}
        module-whatis {Homepage: https://www.zlib.net/}
        module-whatis {URL: https://www.zlib.net/}

        set root /apps/easybuild/software/zlib/1.2.13-GCCcore-12.3.0

        conflict zlib

        if { ![ is-loaded GCCcore/12.3.0 ] } {
            module load GCCcore/12.3.0
        }

        prepend-path	CMAKE_PREFIX_PATH		$root
        prepend-path	LD_LIBRARY_PATH		$root/lib
        prepend-path	LIBRARY_PATH		$root/lib
        prepend-path	MANPATH		$root/share/man
        prepend-path	PKG_CONFIG_PATH		$root/lib/pkgconfig
        prepend-path	XDG_DATA_DIRS		$root/share

        setenv	EBROOTZLIB		"$root"
        setenv	EBVERSIONZLIB		"1.2.13"
        setenv	EBDEVELZLIB		"$root/easybuild/zlib-1.2.13-GCCcore-12.3.0-easybuild-devel"

        # Built with EasyBuild version 4.8.2
        """, EasyBuildTclPrefix, new[] { "GCCcore/12.3.0" });

    public const string SpackLuaPrefix = "/opt/spack/opt/spack/linux-ubuntu22.04-zen2/gcc-12.3.0/openmpi-4.1.6-6yq3c7nnzgsqafa5ttdp5e3tpgyyk3tt";

    public static readonly Sample SpackLua = new("openmpi/4.1.6-6yq3c7n.lua", """
        -- -*- lua -*-
        -- Module file created by spack (https://github.com/spack/spack) on 2024-03-12 10:41:07.532081
        --
        -- openmpi@4.1.6%gcc@12.3.0~atomics~cuda+romio+rsh~static+vt+wrapper-rpath build_system=autotools fabrics=none schedulers=none arch=linux-ubuntu22.04-zen2/6yq3c7n
        --

        whatis([[Name : openmpi]])
        whatis([[Version : 4.1.6]])
        whatis([[Target : zen2]])
        whatis([[Short description : An open source Message Passing Interface implementation.]])
        whatis([[Configure options : --enable-shared --disable-silent-rules --disable-sphinx --enable-builtin-atomics --with-pmi=no]])

        help([[Name   : openmpi]])
        help([[Version: 4.1.6]])
        help([[Target : zen2]])
        help()
        help([[An open source Message Passing Interface implementation. The Open MPI
        Project is an open source Message Passing Interface implementation that
        is developed and maintained by a consortium of academic, research, and
        industry partners.]])

        -- Services provided by the package
        family("mpi")

        -- Loading this module unlocks the path below unconditionally
        prepend_path("MODULEPATH", "/opt/spack/share/spack/lmod/linux-ubuntu22.04-x86_64/openmpi/4.1.6-6yq3c7n/gcc/12.3.0")

        depends_on("hwloc/2.9.1-lxfqbfm")
        depends_on("zlib-ng/2.1.4-bnjs5kv")

        prepend_path("PATH", "/opt/spack/opt/spack/linux-ubuntu22.04-zen2/gcc-12.3.0/openmpi-4.1.6-6yq3c7nnzgsqafa5ttdp5e3tpgyyk3tt/bin", ":")
        prepend_path("PKG_CONFIG_PATH", "/opt/spack/opt/spack/linux-ubuntu22.04-zen2/gcc-12.3.0/openmpi-4.1.6-6yq3c7nnzgsqafa5ttdp5e3tpgyyk3tt/lib/pkgconfig", ":")
        prepend_path("MANPATH", "/opt/spack/opt/spack/linux-ubuntu22.04-zen2/gcc-12.3.0/openmpi-4.1.6-6yq3c7nnzgsqafa5ttdp5e3tpgyyk3tt/share/man", ":")
        prepend_path("CMAKE_PREFIX_PATH", "/opt/spack/opt/spack/linux-ubuntu22.04-zen2/gcc-12.3.0/openmpi-4.1.6-6yq3c7nnzgsqafa5ttdp5e3tpgyyk3tt/.", ":")
        setenv("MPICC", "/opt/spack/opt/spack/linux-ubuntu22.04-zen2/gcc-12.3.0/openmpi-4.1.6-6yq3c7nnzgsqafa5ttdp5e3tpgyyk3tt/bin/mpicc")
        setenv("MPICXX", "/opt/spack/opt/spack/linux-ubuntu22.04-zen2/gcc-12.3.0/openmpi-4.1.6-6yq3c7nnzgsqafa5ttdp5e3tpgyyk3tt/bin/mpic++")
        setenv("MPIF77", "/opt/spack/opt/spack/linux-ubuntu22.04-zen2/gcc-12.3.0/openmpi-4.1.6-6yq3c7nnzgsqafa5ttdp5e3tpgyyk3tt/bin/mpif77")
        unsetenv("OMPI_MCA_coll_hcoll_enable")
        append_path("MANPATH", "", ":")
        """, SpackLuaPrefix, new[] { "hwloc/2.9.1-lxfqbfm", "zlib-ng/2.1.4-bnjs5kv" });

    public const string SpackTclPrefix = "/opt/spack/opt/spack/linux-ubuntu22.04-zen2/gcc-12.3.0/fftw-3.3.10-ncvrkvtk2yj5x7urq3l3a6vkyzcxsy6q";

    public static readonly Sample SpackTcl = new("fftw/3.3.10-gcc-12.3.0-ncvrkvt", """
        #%Module1.0
        ## Module file created by spack (https://github.com/spack/spack) on 2024-03-12 10:41:09.125541
        ##
        ## fftw@3.3.10%gcc@12.3.0+mpi~openmp~pfft_patches+shared build_system=autotools precision=double,float arch=linux-ubuntu22.04-zen2/ncvrkvt
        ##


        module-whatis {FFTW is a C subroutine library for computing the discrete Fourier transform (DFT) in one or more dimensions, of arbitrary input size, and of both real and complex data (as well as of even/odd data, i.e. the discrete cosine/sine transforms or DCT/DST).}

        proc ModulesHelp { } {
            puts stderr {Name   : fftw}
            puts stderr {Version: 3.3.10}
            puts stderr {Target : zen2}
            puts stderr {}
            puts stderr {FFTW is a C subroutine library for computing the discrete Fourier}
            puts stderr {transform (DFT) in one or more dimensions, of arbitrary input size, and}
            puts stderr {of both real and complex data (as well as of even/odd data, i.e. the}
            puts stderr {discrete cosine/sine transforms or DCT/DST).}
        }

        # define missing command if using Environment Modules <5.1
        if {![llength [info commands depends-on]]} {
            proc depends-on {args} {
                module load {*}$args
            }
        }
        depends-on openmpi/4.1.6-gcc-12.3.0-6yq3c7n

        prereq gcc-runtime/12.3.0-gcc-12.3.0-k3hbefg

        conflict fftw

        prepend-path -d {:} PATH {/opt/spack/opt/spack/linux-ubuntu22.04-zen2/gcc-12.3.0/fftw-3.3.10-ncvrkvtk2yj5x7urq3l3a6vkyzcxsy6q/bin}
        prepend-path -d {:} MANPATH {/opt/spack/opt/spack/linux-ubuntu22.04-zen2/gcc-12.3.0/fftw-3.3.10-ncvrkvtk2yj5x7urq3l3a6vkyzcxsy6q/share/man}
        prepend-path -d {:} PKG_CONFIG_PATH {/opt/spack/opt/spack/linux-ubuntu22.04-zen2/gcc-12.3.0/fftw-3.3.10-ncvrkvtk2yj5x7urq3l3a6vkyzcxsy6q/lib/pkgconfig}
        prepend-path -d {:} CMAKE_PREFIX_PATH {/opt/spack/opt/spack/linux-ubuntu22.04-zen2/gcc-12.3.0/fftw-3.3.10-ncvrkvtk2yj5x7urq3l3a6vkyzcxsy6q/.}
        setenv FFTW_ROOT {/opt/spack/opt/spack/linux-ubuntu22.04-zen2/gcc-12.3.0/fftw-3.3.10-ncvrkvtk2yj5x7urq3l3a6vkyzcxsy6q}
        append-path MANPATH {}
        """, SpackTclPrefix, new[] { "openmpi/4.1.6-gcc-12.3.0-6yq3c7n", "gcc-runtime/12.3.0-gcc-12.3.0-k3hbefg" });

    public const string SpackOldTclPrefix = "/opt/spack/opt/spack/linux-centos7-haswell/gcc-9.3.0/hdf5-1.10.7-jlfmwgzzyb4ttmkkgz2ymckgu3dvuufr";

    public static readonly Sample SpackOldTcl = new("hdf5/1.10.7-gcc-9.3.0", """
        #%Module1.0
        ## Module file created by spack (https://github.com/spack/spack) on 2021-06-02 14:03:51.226730
        ##
        ## hdf5@1.10.7%gcc@9.3.0~cxx~fortran~hl~ipo~java+mpi+shared~szip~threadsafe api=none build_type=RelWithDebInfo arch=linux-centos7-haswell/jlfmwgz
        ##


        module-whatis "HDF5 is a data model, library, and file format for storing and managing data."

        proc ModulesHelp { } {
        puts stderr "HDF5 is a data model, library, and file format for storing and managing"
        puts stderr "data. It supports an unlimited variety of datatypes, and is designed for"
        puts stderr "flexible and efficient I/O and for high volume and complex data."
        }


        if {![is-loaded zlib/1.2.11-gcc-9.3.0]} {
            puts stderr "Autoloading zlib/1.2.11-gcc-9.3.0"
            module load zlib/1.2.11-gcc-9.3.0
        }

        conflict hdf5

        prepend-path --delim ":" PATH "/opt/spack/opt/spack/linux-centos7-haswell/gcc-9.3.0/hdf5-1.10.7-jlfmwgzzyb4ttmkkgz2ymckgu3dvuufr/bin"
        prepend-path --delim ":" LD_LIBRARY_PATH "/opt/spack/opt/spack/linux-centos7-haswell/gcc-9.3.0/hdf5-1.10.7-jlfmwgzzyb4ttmkkgz2ymckgu3dvuufr/lib"
        prepend-path --delim ":" CMAKE_PREFIX_PATH "/opt/spack/opt/spack/linux-centos7-haswell/gcc-9.3.0/hdf5-1.10.7-jlfmwgzzyb4ttmkkgz2ymckgu3dvuufr/"
        setenv HDF5_DIR "/opt/spack/opt/spack/linux-centos7-haswell/gcc-9.3.0/hdf5-1.10.7-jlfmwgzzyb4ttmkkgz2ymckgu3dvuufr"
        """, SpackOldTclPrefix, new[] { "zlib/1.2.11-gcc-9.3.0" })
    {
        Messages = new[] { "Autoloading zlib/1.2.11-gcc-9.3.0" },
    };

    /// <summary>Hand-written Lua: concatenation, os.getenv (of the image), remove_path, pushenv, unsetenv, other delimiters, repeats.</summary>
    public static readonly Sample HandLua = new("suite/12.0.lua", """
        -- Site module for a licensed suite, written by hand.
        local root = "/sw/suite/12.0"
        local arch = "linux-x86_64"
        local home = os.getenv("HOME") or "/nonexistent"

        whatis("Suite " .. myModuleVersion())
        family("suite")

        prepend_path("PATH", root .. "/bin/" .. arch)
        prepend_path("PATH", pathJoin(root, "tools", "bin/"))
        prepend_path("LD_LIBRARY_PATH", root .. "/lib64")
        prepend_path("LD_LIBRARY_PATH", root .. "/lib64")
        append_path("LD_LIBRARY_PATH", "/usr/lib/x86_64-linux-gnu")
        remove_path("LD_LIBRARY_PATH", root .. "/lib64")
        prepend_path("SUITE_PLUGINS", root .. "/plugins/a;" .. root .. "/plugins/b", ";")
        append_path("SUITE_PLUGINS", root .. "//plugins/./c/", ";")
        remove_path("PYTHONPATH", "/old/site-packages")
        prepend_path("OLDPWD_LIST", "")
        pushenv("SUITE_LICENSE", "27000@license.example.org")
        setenv("SUITE_HOME", home .. "/.suite")
        setenv("SUITE_PATH_SEEN", os.getenv("PATH"))
        unsetenv("SUITE_DEBUG")
        if mode() == "load" and os.getenv("SUITE_LEGACY") ~= nil then
            setenv("SUITE_COMPAT", "legacy")
        elseif os.getenv("SUITE_LEGACY") == nil then
            setenv("SUITE_COMPAT", "none")
        else
            setenv("SUITE_COMPAT", "unreachable")
        end
        set_alias("suite-gui", root .. "/bin/gui")
        """, "/sw/suite/12.0", Array.Empty<string>());

    /// <summary>Hand-written Tcl: $env, ${var}, quoting, remove-path, pushenv, unsetenv, --delim=, module use.</summary>
    public static readonly Sample HandTcl = new("tools/2.1", """
        #%Module1.0#####################################################################
        ## tools modulefile, written by hand
        ##
        set     version      2.1
        set     prefix       /sw/tools/$version
        set root $prefix

        module-whatis "tools ${version}: site tools"

        prepend-path  PATH             $prefix/bin
        prepend-path  PATH             $prefix/sbin ; # admin tools too
        append-path   --delim=, TOOLS_LIST  "a b"
        append-path   -d , TOOLS_LIST  c
        prepend-path  LD_LIBRARY_PATH  "${prefix}/lib"
        remove-path   LD_LIBRARY_PATH  /usr/local/lib
        setenv        TOOLS_HOME       "$env(HOME)/.tools"
        setenv        TOOLS_QUOTED     "say \"hi\" \$HOME \[x\]"
        setenv        TOOLS_BRACED     {$prefix [not a command]}
        pushenv       TOOLS_MODE       fast
        unsetenv      TOOLS_DEBUG
        setenv        TOOLS_NEXT       $env(TOOLS_MODE)
        module use    $prefix/modulefiles
        if { [module-info mode load] && ![info exists env(TOOLS_OLD)] } {
            setenv TOOLS_FRESH 1
        } else {
            setenv TOOLS_FRESH 0
        }
        """, "/sw/tools/2.1", Array.Empty<string>());

    public static readonly Sample[] All =
    {
        EasyBuildLua, EasyBuildTcl, SpackLua, SpackTcl, SpackOldTcl, HandLua, HandTcl,
        ModuleFileSiteCorpus.EasyBuildLuaMessage, ModuleFileSiteCorpus.EasyBuildLuaFamily, ModuleFileSiteCorpus.EasyBuildTclMessage,
        ModuleFileSiteCorpus.SpackLuaCompiler, ModuleFileSiteCorpus.SitePriorities, ModuleFileSiteCorpus.LmodHelpers,
        ModuleFileSiteCorpus.HandTclBuiltins, ModuleFileSiteCorpus.TaccStyle,
    };

    /// <summary>The environments the samples are judged in: bare, and one where the variables they touch are already set, with repeats, empties and the module's own entries.</summary>
    public static readonly string[][] Environments =
    {
        new[] { "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/root" },
        new[]
        {
            "PATH=/usr/local/bin:/usr/bin:/bin:/usr/bin", "HOME=/home/user", "LD_LIBRARY_PATH=/usr/local/lib:/opt/x/lib::/usr/local/lib",
            "MANPATH=/usr/share/man", "PYTHONPATH=/old/site-packages:/new", "SUITE_DEBUG=1", "SUITE_LEGACY=yes", "TOOLS_DEBUG=1",
            "TOOLS_OLD=1", "CMAKE_PREFIX_PATH=", "PKG_CONFIG_PATH=/usr/lib/pkgconfig/", "OMPI_MCA_coll_hcoll_enable=0",
            "SUITE_PLUGINS=/p;/p", "XDG_DATA_DIRS=/usr/share",
        },
    };

    /// <summary>Writes the samples (and an empty modulefile for each dependency, so that Lmod can load them) under <paramref name="root"/>.</summary>
    public static string WriteTree(string root, IEnumerable<Sample> samples)
    {
        foreach (var sample in samples)
        {
            Write(root, sample.RelativePath, sample.Text);
            foreach (var dependency in sample.Dependencies)
                Write(root, dependency + ".lua", $"whatis(\"{dependency}: a dependency with no environment of its own\")\n");
        }
        return root;
    }

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!File.Exists(path)) File.WriteAllText(path, text);
    }
}
