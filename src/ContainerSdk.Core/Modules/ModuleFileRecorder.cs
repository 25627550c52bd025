using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Modules;

/// <summary>
/// What a Lua or Tcl reader reports while it walks a modulefile: environment operations, dependencies, warnings,
/// and the file's root. It also answers <c>os.getenv</c> / <c>$env(X)</c> from the image's environment as the load
/// has changed it so far (never from the build machine's), and makes the coded errors, all at the file and line.
/// </summary>
internal sealed class ModuleFileRecorder
{
    private readonly ModuleEnvironment _view;
    private readonly bool _pathsVisible;

    /// <param name="pathsVisible">
    /// Whether a later getenv sees earlier path operations: yes in Lua (Lmod changes its own environment as it goes);
    /// no in Tcl, where Lmod's Tcl pass only sees setenv, pushenv and unsetenv.
    /// </param>
    public ModuleFileRecorder(string file, IEnumerable<string> environment, bool pathsVisible)
    {
        File = file;
        CodeFile = file;
        _view = new ModuleEnvironment(environment);
        _pathsVisible = pathsVisible;
    }

    public string File { get; }

    /// <summary>The file whose code runs now: the modulefile, or the site's SitePackage.lua while one of its functions runs.</summary>
    public string CodeFile { get; set; }

    public List<EnvironmentOperation> Operations { get; } = new();
    public List<ModuleDependency> Dependencies { get; } = new();
    public List<ModuleFileWarning> Warnings { get; } = new();
    public List<ModuleFileMessage> Messages { get; } = new();

    /// <summary>The commands <c>execute{...}</c> and <c>source_sh</c> run at <c>module load</c>, each a CSDK1054 warning at its line.</summary>
    public List<ModuleFileWarning> Commands { get; } = new();
    public string? Root { get; private set; }

    /// <summary>The families the file claims (<c>family("mpi")</c>), with their lines.</summary>
    public List<(string Name, int Line)> Families { get; } = new();

    /// <summary>What the site package's SiteName hook answers, if it registers one.</summary>
    public string? SiteName { get; set; }

    /// <summary>
    /// <c>family("x")</c> as Lmod applies it on load (MT:setfamily): <c>LMOD_FAMILY_X</c> is the module's name and
    /// <c>LMOD_FAMILY_X_VERSION</c> its version, two setenv; and the same with <c>&lt;site&gt;_FAMILY_</c> when the site
    /// has a name other than LMOD (the SiteName hook, else LMOD_SITE_NAME, as Lmod's StandardPackage answers it).
    /// </summary>
    public void Family(string? family, string name, string version, int line)
    {
        if (string.IsNullOrWhiteSpace(family)) throw Failure("family needs a name", line);
        Families.Add((family, line));
        var site = SiteName ?? GetEnv("LMOD_SITE_NAME") ?? "LMOD";
        foreach (var prefix in new[] { "LMOD_FAMILY_", site + "_FAMILY_" }.Distinct(StringComparer.Ordinal))
        {
            var variable = prefix + family.ToUpperInvariant();
            Environment("setenv", variable, name, null, line);
            Environment("setenv", variable + "_VERSION", version, null, line);
        }
    }

    /// <summary>What the file prints on load (io.stderr:write, LmodMessage, puts stderr): a build message.</summary>
    public void Message(string text, int line) => Messages.Add(new ModuleFileMessage(text, line, FileOf()));

    /// <summary>
    /// <c>execute{cmd=..., modeA={"load"}}</c> or <c>source_sh</c>: the command runs when the image's user loads the
    /// module, but what it does is not in the image config. A warning, unless it is all the file does (see <see cref="ModuleFile"/>).
    /// </summary>
    public void Command(string statement, string? command, int line)
        => Commands.Add(new ModuleFileWarning(Codes.ModuleCommandAtLoad,
            $"'{statement}' runs {(command is null ? "a command" : $"'{command}'")} at module load inside the image, but its effect is not in the image config: users who do not load the module (docker run, the image's entrypoint) do not get it; set what it sets with setenv/prepend_path to have it in the image",
            line, FileOf()));

    /// <summary>A SitePackage.lua hook that runs at every module load, which the image config cannot hold.</summary>
    public void Hook(string hook, int line)
        => Warnings.Add(new ModuleFileWarning(Codes.ModuleCommandAtLoad,
            $"the site package registers the '{hook}' hook, which runs at every module load inside the image: what it does is not in the image config", line, FileOf()));

    private string? FileOf() => CodeFile == File ? null : CodeFile;

    public string? GetEnv(string name) => _view[name];

    /// <summary>The first top-level assignment to <c>root</c> is the file's install prefix.</summary>
    public void AssignedRoot(string? value) => Root ??= value;

    public void Environment(string statement, string? name, string? value, string? delimiter, int line, int priority = 0)
    {
        if (string.IsNullOrWhiteSpace(name)) throw Failure($"{statement} needs a variable name", line);
        var kind = statement switch
        {
            "prepend_path" => EnvironmentOperationKind.Prepend,
            "append_path" => EnvironmentOperationKind.Append,
            "remove_path" => EnvironmentOperationKind.Remove,
            "setenv" => EnvironmentOperationKind.Set,
            "pushenv" => EnvironmentOperationKind.Push,
            _ => EnvironmentOperationKind.Unset,
        };
        if (kind != EnvironmentOperationKind.Unset && value is null) throw Failure($"{statement}(\"{name}\") has no value", line);
        if (delimiter is { Length: 0 }) throw Failure($"{statement}(\"{name}\") has an empty delimiter", line);
        // Lmod trims the name; the value is taken as written.
        var op = new EnvironmentOperation(kind, name.Trim(), kind == EnvironmentOperationKind.Unset ? null : value,
            delimiter ?? EnvironmentOperation.DefaultDelimiter, line) { Priority = priority };
        Operations.Add(op);
        if (_pathsVisible || !op.IsPath) _view.Apply(op);
    }

    public void Dependency(string statement, IReadOnlyList<string> names, int line)
    {
        if (names.Count == 0 || names.Any(string.IsNullOrWhiteSpace)) throw Failure($"{statement} needs module names", line);
        // prereq_any and load_any are satisfied by any one; the others need every module they name.
        if (statement is "prereq_any" or "load_any") Dependencies.Add(new ModuleDependency(statement, names, line));
        else foreach (var name in names) Dependencies.Add(new ModuleDependency(statement, new[] { name }, line));
    }

    public void ShellOnly(string statement, int line)
        => Warnings.Add(new ModuleFileWarning(Codes.ModuleStatementIgnored,
            $"'{statement}' defines a shell alias or function, which an image's environment cannot hold: the image config does not have it (module load in the container still runs it)", line));

    public ContainerSdkException Syntax(string message, int line)
        => new(Codes.ModuleFileSyntax, $"{Kind} syntax error: {message}.", CodeFile, line);

    public ContainerSdkException Unsupported(string message, int line)
        => new(Codes.ModuleFileUnsupported, $"{Kind} statement not supported: {message}{Calling}.", CodeFile, line);

    /// <summary>What would make Lmod's own load fail (an unset $env(X), a nil in a concatenation, LmodError).</summary>
    public ContainerSdkException Failure(string message, int line)
        => new(Codes.ModuleFileLoadFails, $"The modulefile fails to load: {message}{Calling}.", CodeFile, line);

    private string Kind => CodeFile == File ? "Modulefile" : "Site package";

    /// <summary>Where the site package's code was called from, for an error inside it.</summary>
    private string Calling => CodeFile == File ? "" : $" (while loading the modulefile '{File}')";

    public ContainerSdkException RunsCode(string statement, int line)
        => Unsupported($"'{statement}' runs a program or script whose effect on the environment cannot be known when the image is built; set the variables it sets with prepend_path/setenv instead", line);

    public ContainerSdkException UnknownStatement(string statement, int line)
        => Unsupported($"'{statement}' is not one the SDK can apply (it reads prepend_path, append_path, remove_path, setenv, pushenv, unsetenv, family, the dependency statements, Lmod's helper functions and the functions the site's SitePackage.lua (ContainerLmodSitePackage) registers, and ignores whatis, help, conflict)", line);
}
