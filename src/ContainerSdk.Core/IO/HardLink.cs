namespace ContainerSdk.Core.IO;

/// <summary>A second name for a file: no copy of gigabytes when a blob moves between the engine's stores.</summary>
internal static class HardLink
{
    /// <summary>False when the file systems differ (EXDEV), links are not allowed, or there is no libc (Windows): the caller copies.</summary>
    public static bool TryCreate(string existing, string link)
    {
        try { return Mono.Unix.Native.Syscall.link(existing, link) == 0; }
        catch (DllNotFoundException) { return false; }
        catch (EntryPointNotFoundException) { return false; }
    }
}
