namespace ContainerSdk.Core.Modules;

/// <summary>
/// An environment ("NAME=value" entries, as an image config holds them) that modulefile operations are applied to,
/// one <c>module load</c> at a time, as Lmod applies them. Names keep their place; a new name goes last; an unset
/// name goes away. Within one load a path variable keeps Lmod's reference counts between operations (see
/// <see cref="LmodPath"/>); a new load starts again from the values, as Lmod does in a fresh shell.
/// </summary>
internal sealed class ModuleEnvironment
{
    private readonly List<string> _order = new();
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LmodPath> _paths = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _delimiters = new(StringComparer.Ordinal);
    private readonly string? _home;

    /// <summary>Starts from "NAME=value" entries; an entry without '=' is ignored, a later one for a name wins.</summary>
    public ModuleEnvironment(IEnumerable<string> entries)
    {
        foreach (var entry in entries)
        {
            int eq = entry.IndexOf('=');
            if (eq > 0) Set(entry[..eq], entry[(eq + 1)..]);
        }
        // Lmod reads HOME once, when it starts, to expand a leading "~" in path entries.
        _home = this["HOME"];
    }

    public string? this[string name] => _values.TryGetValue(name, out var v) ? v : null;

    public IReadOnlyList<string> Entries => _order.Select(n => $"{n}={_values[n]}").ToArray();

    /// <summary>Applies <paramref name="operations"/> (one module's load) to <paramref name="environment"/>.</summary>
    public static IReadOnlyList<string> Apply(IEnumerable<string> environment, IEnumerable<EnvironmentOperation> operations)
    {
        var env = new ModuleEnvironment(environment);
        foreach (var op in operations) env.Apply(op);
        return env.Entries;
    }

    public void Apply(EnvironmentOperation op)
    {
        // Lmod keeps the delimiter a variable was first used with (setenv and unsetenv use ':') for the rest of the load.
        _delimiters.TryAdd(op.Name, op.IsPath ? op.Delimiter : EnvironmentOperation.DefaultDelimiter);
        switch (op.Kind)
        {
            case EnvironmentOperationKind.Set:
            case EnvironmentOperationKind.Push:
                _paths.Remove(op.Name);
                Set(op.Name, op.Value ?? "");
                break;
            case EnvironmentOperationKind.Unset:
                _paths.Remove(op.Name);
                Unset(op.Name);
                break;
            default:
                var path = PathOf(op);
                if (op.Kind == EnvironmentOperationKind.Prepend) path.Prepend(op.Value ?? "", op.Priority);
                else if (op.Kind == EnvironmentOperationKind.Append) path.Append(op.Value ?? "", op.Priority);
                else path.Remove(op.Value ?? "");
                var value = path.Value(op.Name);
                if (value is null) Unset(op.Name); else Set(op.Name, value);
                break;
        }
    }

    /// <summary>The variable's path model, made from its value when a path operation first meets it (again after a setenv).</summary>
    private LmodPath PathOf(EnvironmentOperation op)
    {
        if (!_paths.TryGetValue(op.Name, out var path))
            _paths[op.Name] = path = new LmodPath(_delimiters[op.Name], this[op.Name], _home);
        return path;
    }

    private void Set(string name, string value)
    {
        if (!_values.ContainsKey(name)) _order.Add(name);
        _values[name] = value;
    }

    private void Unset(string name)
    {
        if (_values.Remove(name)) _order.Remove(name);
    }
}
