namespace ContainerSdk.Core.Modules.Lua;

internal enum LuaTokenKind { Name, String, Number, Symbol, End }

/// <summary>One Lua token; <see cref="Text"/> is a string's value (escapes resolved), a name, a number or a symbol.</summary>
internal readonly record struct LuaToken(LuaTokenKind Kind, string Text, int Line)
{
    public bool Is(string symbol) => Kind == LuaTokenKind.Symbol && Text == symbol;
    public bool IsKeyword(string keyword) => Kind == LuaTokenKind.Name && Text == keyword;

    public string Describe() => Kind switch
    {
        LuaTokenKind.End => "the end of the file",
        LuaTokenKind.String => "a string",
        _ => $"'{Text}'",
    };
}
