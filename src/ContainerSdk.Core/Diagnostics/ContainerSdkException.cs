namespace ContainerSdk.Core.Diagnostics;

/// <summary>
/// A user-facing failure: bad input, an unreadable file, a corrupt archive. Carries the CSDK code and,
/// where a file is at fault, its path and position, so that the tasks can log it in MSBuild's canonical
/// format (IDEs jump to it). Anything else that escapes the engine is a bug in the engine.
/// </summary>
internal class ContainerSdkException : Exception
{
    public ContainerSdkException(string code, string message, string? file = null, int line = 0, int column = 0, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        File = file;
        Line = line;
        Column = column;
    }

    /// <summary>
    /// The item the error is about ("Module", "modules/suite.tar.gz"), when no file position says more: the
    /// tasks find where the project declares it, so that the IDE jumps to that line.
    /// </summary>
    public string? ItemType { get; private set; }
    public string? ItemSpec { get; private set; }

    /// <summary>Names the item the error concerns, unless an inner layer already did.</summary>
    public ContainerSdkException About(string itemType, string itemSpec)
    {
        if (ItemSpec is null) { ItemType = itemType; ItemSpec = itemSpec; }
        return this;
    }

    public string Code { get; }
    public string? File { get; }
    public int Line { get; }
    public int Column { get; }
}
