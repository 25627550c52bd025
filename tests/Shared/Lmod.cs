namespace ContainerSdk.Tests;

/// <summary>
/// Lmod itself, as the judge of what a modulefile does: <see cref="Load"/> runs Lmod's own <c>module load</c> the way
/// its <c>module</c> shell function does (<c>eval "$($LMOD_CMD bash load ...)"</c>) in an environment that holds
/// exactly the variables given, and returns the environment the shell ends with.
/// </summary>
public static class Lmod
{
    /// <summary>Where Debian's lmod package puts Lmod's command; it is not on PATH until Lmod's shell init runs.</summary>
    public const string DebianCommand = "/usr/share/lmod/lmod/libexec/lmod";

    /// <summary>
    /// Variables Lmod keeps for itself (the loaded-module table, reference counts) and the shell's own; not the
    /// family variables (LMOD_FAMILY_X, X_VERSION), which modulefiles set with family() and users read.
    /// </summary>
    public static bool IsBookkeeping(string name) =>
        name.StartsWith("__LMOD_", StringComparison.Ordinal) || name.StartsWith("_ModuleTable", StringComparison.Ordinal)
        || (name.StartsWith("LMOD_", StringComparison.Ordinal) && !name.StartsWith("LMOD_FAMILY_", StringComparison.Ordinal))
        || name is "_LMFILES_" or "LOADEDMODULES"
        || name is "PWD" or "OLDPWD" or "SHLVL" or "_";

    /// <summary>Lmod's command: $LMOD_CMD, Debian's location, or <c>lmod</c> on PATH; skips the test (fails it under CI=true) when there is none.</summary>
    public static string RequireCommand()
    {
        foreach (var candidate in new[] { Environment.GetEnvironmentVariable("LMOD_CMD"), DebianCommand, Tools.Find("lmod") })
            if (!string.IsNullOrEmpty(candidate) && File.Exists(candidate)) return candidate;
        if (Tools.InCi) Assert.Fail($"Lmod is required under CI=true (.ci/run installs Debian's lmod, {DebianCommand}) but was not found.");
        Assert.Skip("Lmod is not installed (apt-get install lmod, see .ci/run).");
        return null!;
    }

    /// <summary>
    /// Runs <c>module load <paramref name="modules"/></c> with MODULEPATH at <paramref name="modulePath"/> in an
    /// environment of exactly <paramref name="environment"/> ("NAME=value") and returns the variables afterwards.
    /// </summary>
    public static SortedDictionary<string, string> Load(string modulePath, IEnumerable<string> environment, params string[] modules)
        => Load(modulePath, environment, out _, modules);

    /// <summary><see cref="Load(string, IEnumerable{string}, string[])"/>, with what Lmod wrote to stderr (the modules' messages).</summary>
    public static SortedDictionary<string, string> Load(string modulePath, IEnumerable<string> environment, out string stderr, params string[] modules)
    {
        var lmod = RequireCommand();
        var args = new List<string> { "-i" };
        args.AddRange(environment.Where(e => !e.StartsWith("MODULEPATH=", StringComparison.Ordinal)));
        args.Add("MODULEPATH=" + modulePath);
        // The module function's own line: Lmod writes shell code, the shell evaluates it.
        args.AddRange(new[] { "/bin/bash", "--noprofile", "--norc", "-c", "eval \"$(\"$0\" bash load \"$@\")\" && env -0", lmod });
        args.AddRange(modules);
        var result = Tools.Run("env", args);
        stderr = result.StdErr;
        // What a module prints (puts stderr, LmodMessage) is not a failure; Lmod exits non-zero on errors.
        if (result.ExitCode != 0)
            Assert.Fail($"Lmod's module load {string.Join(' ', modules)} failed ({result.ExitCode}):\n{result.StdErr}");
        var variables = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in result.StdOut.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = entry.IndexOf('=');
            if (eq > 0) variables[entry[..eq]] = entry[(eq + 1)..];
        }
        return variables;
    }

    /// <summary>The variables of an environment that a module load decides, without Lmod's and the shell's own.</summary>
    public static SortedDictionary<string, string> Comparable(IEnumerable<KeyValuePair<string, string>> variables)
        => new(variables.Where(v => !IsBookkeeping(v.Key)).ToDictionary(v => v.Key, v => v.Value), StringComparer.Ordinal);

    public static SortedDictionary<string, string> Comparable(IEnumerable<string> entries)
        => Comparable(entries.Select(e => e.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], p[1])));
}
