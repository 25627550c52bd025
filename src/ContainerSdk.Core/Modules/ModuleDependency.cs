namespace ContainerSdk.Core.Modules;

/// <summary>
/// A module this modulefile needs loaded: <c>depends_on</c>, <c>prereq</c>, <c>load</c>, <c>always_load</c>,
/// <c>depends-on</c>, <c>module load</c>. <see cref="Alternatives"/> holds one name, or several for
/// <c>prereq_any</c> and Tcl's <c>prereq a b</c> (any one of them satisfies it). A name is <c>name</c> or
/// <c>name/version</c>, as Lmod takes it.
/// </summary>
internal sealed record ModuleDependency(string Statement, IReadOnlyList<string> Alternatives, int Line)
{
    public override string ToString() => $"{Statement} {string.Join(" | ", Alternatives)}";
}
