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
internal sealed record LuaFunctionExpr(int Line) : LuaExpr(Line);
internal sealed record LuaVarargs(int Line) : LuaExpr(Line);

internal abstract record LuaStatement(int Line);
internal sealed record LuaLocal(IReadOnlyList<string> Names, IReadOnlyList<LuaExpr> Values, int Line) : LuaStatement(Line);
internal sealed record LuaAssign(IReadOnlyList<LuaExpr> Targets, IReadOnlyList<LuaExpr> Values, int Line) : LuaStatement(Line);
internal sealed record LuaCallStatement(LuaExpr Call, int Line) : LuaStatement(Line);
internal sealed record LuaIf(IReadOnlyList<(LuaExpr Condition, IReadOnlyList<LuaStatement> Block)> Branches, IReadOnlyList<LuaStatement>? Else, int Line) : LuaStatement(Line);
internal sealed record LuaDo(IReadOnlyList<LuaStatement> Block, int Line) : LuaStatement(Line);
/// <summary>A construct modulefiles written by generators never use (loops, function definitions, return, goto).</summary>
internal sealed record LuaUnsupported(string What, int Line) : LuaStatement(Line);

/// <summary>A Lua table value, made only as the argument of a call such as <c>prepend_path{"PATH", "/x", delim=":"}</c>.</summary>
internal sealed class LuaTable
{
    public List<object?> Items { get; } = new();
    public Dictionary<string, object?> Fields { get; } = new(StringComparer.Ordinal);
}
