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
        _view = new ModuleEnvironment(environment);
        _pathsVisible = pathsVisible;
    }

    public string File { get; }
    public List<EnvironmentOperation> Operations { get; } = new();
    public List<ModuleDependency> Dependencies { get; } = new();
    public List<ModuleFileWarning> Warnings { get; } = new();
    public string? Root { get; private set; }

    public string? GetEnv(string name) => _view[name];

    /// <summary>The first top-level assignment to <c>root</c> is the file's install prefix.</summary>
    public void AssignedRoot(string? value) => Root ??= value;

    public void Environment(string statement, string? name, string? value, string? delimiter, int line)
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
            delimiter ?? EnvironmentOperation.DefaultDelimiter, line);
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
        => new(Codes.ModuleFileSyntax, $"Modulefile syntax error: {message}.", File, line);

    public ContainerSdkException Unsupported(string message, int line)
        => new(Codes.ModuleFileUnsupported, $"Modulefile statement not supported: {message}.", File, line);

    /// <summary>What would make Lmod's own load fail (an unset $env(X), a nil in a concatenation, LmodError).</summary>
    public ContainerSdkException Failure(string message, int line)
        => new(Codes.ModuleFileLoadFails, $"The modulefile fails to load: {message}.", File, line);

    public ContainerSdkException RunsCode(string statement, int line)
        => Unsupported($"'{statement}' runs a program or script whose effect on the environment cannot be known when the image is built; set the variables it sets with prepend_path/setenv instead", line);

    public ContainerSdkException UnknownStatement(string statement, int line)
        => Unsupported($"'{statement}' is not one the SDK can apply (it reads prepend_path, append_path, remove_path, setenv, pushenv, unsetenv, the dependency statements, and ignores whatis, help, conflict, family)", line);
}
