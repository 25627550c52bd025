namespace ContainerSdk.Core.Tar;

/// <summary>The ustar type flags the engine writes and reads back (values are the ASCII flag bytes).</summary>
internal enum TarEntryType : byte
{
    Regular = (byte)'0',
    HardLink = (byte)'1',
    SymbolicLink = (byte)'2',
    CharacterDevice = (byte)'3',
    BlockDevice = (byte)'4',
    Directory = (byte)'5',
    Fifo = (byte)'6',
}
