namespace ContainerSdk.Core.Modules.Lua;

// The parsed form of a Lua modulefile. Every construct of Lua is parsed (so that a syntax error anywhere is reported,
// as Lua reports it before running anything); the evaluator applies the subset modulefiles use and reports the rest.

internal abstract record LuaExpr(int Line);
internal sealed record LuaLiteral(object? Value, int Line) : LuaExpr(Line);
internal sealed record LuaName(string Name, int Line) : LuaExpr(Line);
internal sealed record LuaIndex(LuaExpr Target, LuaExpr Key, int Line) : LuaExpr(Line);
internal sealed record LuaCall(LuaExpr Function, IReadOnlyList<LuaExpr> Arguments, int Line) : LuaExpr(Line);
internal sealed record LuaMethodCall(LuaExpr Target, string Method, IReadOnlyList<LuaExpr> Arguments, int Line) : LuaExpr(Line);
internal sealed record LuaBinary(string Operator, LuaExpr Left, LuaExpr Right, int Line) : LuaExpr(Line);
internal sealed record LuaUnary(string Operator, LuaExpr Operand, int Line) : LuaExpr(Line);
internal sealed record LuaTableExpr(IReadOnlyList<LuaExpr> Items, IReadOnlyList<KeyValuePair<LuaExpr, LuaExpr>> Fields, int Line) : LuaExpr(Line);
/// <summary><c>function (params) body end</c>: a site's SitePackage.lua defines its functions this way.</summary>
internal sealed record LuaFunctionExpr(IReadOnlyList<string> Parameters, IReadOnlyList<LuaStatement> Body, int Line) : LuaExpr(Line);
internal sealed record LuaVarargs(int Line) : LuaExpr(Line);
/// <summary>A call in parentheses: its first value only.</summary>
internal sealed record LuaParenthesized(LuaExpr Inner, int Line) : LuaExpr(Line);

internal abstract record LuaStatement(int Line);
internal sealed record LuaLocal(IReadOnlyList<string> Names, IReadOnlyList<LuaExpr> Values, int Line) : LuaStatement(Line);
internal sealed record LuaAssign(IReadOnlyList<LuaExpr> Targets, IReadOnlyList<LuaExpr> Values, int Line) : LuaStatement(Line);
internal sealed record LuaCallStatement(LuaExpr Call, int Line) : LuaStatement(Line);
internal sealed record LuaIf(IReadOnlyList<(LuaExpr Condition, IReadOnlyList<LuaStatement> Block)> Branches, IReadOnlyList<LuaStatement>? Else, int Line) : LuaStatement(Line);
internal sealed record LuaDo(IReadOnlyList<LuaStatement> Block, int Line) : LuaStatement(Line);
internal sealed record LuaReturn(IReadOnlyList<LuaExpr> Values, int Line) : LuaStatement(Line);
/// <summary><c>for v = start, limit[, step] do ... end</c>.</summary>
internal sealed record LuaNumericFor(string Variable, LuaExpr Start, LuaExpr Limit, LuaExpr? Step, IReadOnlyList<LuaStatement> Block, int Line) : LuaStatement(Line);
/// <summary><c>for k, v in ipairs(t) do ... end</c> (and <c>pairs</c>).</summary>
internal sealed record LuaGenericFor(IReadOnlyList<string> Names, IReadOnlyList<LuaExpr> Values, IReadOnlyList<LuaStatement> Block, int Line) : LuaStatement(Line);
/// <summary>A construct modulefiles and site packages do not use (while/repeat loops, break, goto, labels).</summary>
internal sealed record LuaUnsupported(string What, int Line) : LuaStatement(Line);

/// <summary>
/// A Lua table value: the argument of a call such as <c>prepend_path{"PATH", "/x", delim=":"}</c>, what
/// <c>hierarchyA</c> returns, a site function's list. <see cref="Items"/> is its sequence (keys 1..n), <see cref="Fields"/> its named keys.
/// </summary>
internal sealed class LuaTable
{
    public List<object?> Items { get; } = new();
    public Dictionary<string, object?> Fields { get; } = new(StringComparer.Ordinal);
}

/// <summary>A function a modulefile or SitePackage.lua defines: its code, the scopes it closes over, and the reader (file) it belongs to.</summary>
internal sealed class LuaFunction(LuaFunctionExpr code, List<Dictionary<string, object?>> closure, object owner)
{
    public LuaFunctionExpr Code { get; } = code;
    public List<Dictionary<string, object?>> Closure { get; } = closure;
    public object Owner { get; } = owner;
}
