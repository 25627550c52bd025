namespace ContainerSdk.Core.Diagnostics;

/// <summary>
/// A user-facing failure: bad input, an unreadable file, a corrupt archive. Carries the CSDK code and,
/// where a file is at fault, its path and position, so that the tasks can log it in MSBuild's canonical
/// format (IDEs jump to it). Anything else that escapes the engine is a bug in the engine.
/// </summary>
public class ContainerSdkException : Exception
{
    public ContainerSdkException(string code, string message, string? file = null, int line = 0, int column = 0, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        File = file;
        Line = line;
        Column = column;
    }

    public string Code { get; }
    public string? File { get; }
    public int Line { get; }
    public int Column { get; }
}
