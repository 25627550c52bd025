namespace ContainerSdk.Core.Modules;

/// <summary>What a modulefile command is to the SDK, in one table for Lua and Tcl files alike.</summary>
internal enum StatementClass
{
    /// <summary>Changes the environment: recorded as an <see cref="EnvironmentOperation"/>.</summary>
    Environment,
    /// <summary>Asks for another module: recorded as a <see cref="ModuleDependency"/>.</summary>
    Dependency,
    /// <summary>Describes the module or prints, and changes nothing on load (whatis, help, conflict...).</summary>
    NoEffect,
    /// <summary>Defines shell aliases or functions: not part of an image's environment; a warning.</summary>
    ShellOnly,
    /// <summary>Runs a program or sources a script and uses what it gives: its effect cannot be known at build time; an error.</summary>
    RunsCode,
    /// <summary>Applied by the readers themselves: family, the messages (LmodMessage...), execute and source_sh (a warning).</summary>
    Lmod,
    /// <summary>Anything else: an error, since its effect on the environment is unknown.</summary>
    Unknown,
}

internal static class ModuleStatements
{
    /// <summary>The Lua name for a Tcl command ("prepend-path" is "prepend_path", "module-whatis" is "whatis").</summary>
    public static string Canonical(string tclName) => tclName switch
    {
        "module-whatis" => "whatis",
        "set-function" => "set_shell_function",
        "unset-function" => "unset_shell_function",
        "require-fullname" => "requireFullName",
        _ => tclName.Replace('-', '_'),
    };

    public static StatementClass Classify(string name) => name switch
    {
        "prepend_path" or "append_path" or "remove_path" or "setenv" or "pushenv" or "unsetenv" => StatementClass.Environment,
        "depends_on" or "prereq" or "prereq_any" or "load" or "always_load" or "try_load" or "load_any" => StatementClass.Dependency,
        "whatis" or "help" or "conflict" or "add_property" or "remove_property" or "extensions"
            or "requireFullName" or "unload" => StatementClass.NoEffect,
        "family" or "LmodMessage" or "LmodWarning" or "execute" or "source_sh" => StatementClass.Lmod,
        "set_alias" or "unset_alias" or "set_shell_function" or "unset_shell_function" or "complete" or "uncomplete" => StatementClass.ShellOnly,
        "os.execute" or "io.popen" or "capture" or "subprocess" or "system" or "exec"
            or "require" or "dofile" or "loadfile" or "loadstring" or "io.open" => StatementClass.RunsCode,
        _ => StatementClass.Unknown,
    };

    /// <summary>Dependencies a missing provider does not break: Lmod skips them silently.</summary>
    public static bool IsOptional(string statement) => statement is "try_load";
}
