namespace ContainerSdk.Core.Modules.Tcl;

// A Tcl script as the Tcl parser splits it (the twelve rules of Tcl(n)): commands of words, each word a sequence of
// literal text, variable references and bracketed command substitutions.

internal abstract record TclPart;
internal sealed record TclText(string Text) : TclPart;
/// <summary><c>$name</c>, <c>${name}</c> or <c>$name(index)</c>; <see cref="Index"/> is itself substituted.</summary>
internal sealed record TclVariable(string Name, TclWord? Index, int Line) : TclPart;
/// <summary><c>[script]</c>.</summary>
internal sealed record TclSubstitution(IReadOnlyList<TclCommand> Script, int Line) : TclPart;

/// <summary>
/// One word. A braced word keeps its text as written (<see cref="Raw"/>, starting on <see cref="Line"/>) so that a body
/// given to <c>if</c> or <c>proc</c> can be parsed again with the right line numbers.
/// </summary>
internal sealed record TclWord(IReadOnlyList<TclPart> Parts, bool Braced, string Raw, int Line)
{
    /// <summary>The word's text when it needs no substitution.</summary>
    public string? Literal => Parts.All(p => p is TclText) ? string.Concat(Parts.Cast<TclText>().Select(t => t.Text)) : null;
}

internal sealed record TclCommand(IReadOnlyList<TclWord> Words, int Line);
