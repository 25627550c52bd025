namespace ContainerSdk.Core.Inputs;

/// <summary>What a variable name is, for a layer's Environment, a ContainerEnvironmentVariable and <c>$NAME</c> expansion: [A-Za-z_][A-Za-z0-9_]*.</summary>
internal static class EnvironmentNames
{
    public static bool IsName(string s) => s.Length > 0 && IsNameStart(s[0]) && s.AsSpan(1).IndexOfAnyExcept(NameChars) < 0;
    public static bool IsNameStart(char c) => c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or '_';
    public static bool IsNamePart(char c) => IsNameStart(c) || c is >= '0' and <= '9';

    private static readonly System.Buffers.SearchValues<char> NameChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
}
