namespace ContainerSdk.Core.Modules;

/// <summary>What a modulefile statement does to one variable on <c>module load</c>.</summary>
internal enum EnvironmentOperationKind
{
    /// <summary><c>prepend_path</c> / <c>prepend-path</c>.</summary>
    Prepend,
    /// <summary><c>append_path</c> / <c>append-path</c>.</summary>
    Append,
    /// <summary><c>remove_path</c> / <c>remove-path</c>.</summary>
    Remove,
    /// <summary><c>setenv</c>.</summary>
    Set,
    /// <summary><c>pushenv</c>: on load the same as <c>setenv</c> (the stack only matters on unload).</summary>
    Push,
    /// <summary><c>unsetenv</c>.</summary>
    Unset,
}

/// <summary>
/// One environment change of a modulefile, in file order, with the line that makes it. <see cref="Value"/> is null for
/// <see cref="EnvironmentOperationKind.Unset"/>; <see cref="Delimiter"/> matters to the path operations only.
/// </summary>
internal sealed record EnvironmentOperation(EnvironmentOperationKind Kind, string Name, string? Value, string Delimiter, int Line)
{
    public const string DefaultDelimiter = ":";

    /// <summary>
    /// Lmod's <c>priority=</c> of the table form of prepend_path/append_path: a prepended entry with a higher priority
    /// stays in front of those with a lower one, an appended one behind them (0: none).
    /// </summary>
    public int Priority { get; init; }

    public bool IsPath => Kind is EnvironmentOperationKind.Prepend or EnvironmentOperationKind.Append or EnvironmentOperationKind.Remove;

    public override string ToString() => Kind switch
    {
        EnvironmentOperationKind.Unset => $"unsetenv {Name}",
        _ when IsPath && Delimiter != DefaultDelimiter => $"{Kind} {Name} {Value} (delimiter '{Delimiter}'){(Priority != 0 ? $" (priority {Priority})" : "")}",
        _ when IsPath && Priority != 0 => $"{Kind} {Name} {Value} (priority {Priority})",
        _ => $"{Kind} {Name} {Value}",
    };
}
