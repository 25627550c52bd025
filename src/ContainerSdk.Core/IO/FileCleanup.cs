namespace ContainerSdk.Core.IO;

/// <summary>Deleting a file the build wrote, when failing to is no error (it is swept or replaced later).</summary>
public static class FileCleanup
{
    public static bool TryDelete(string path)
    {
        try { File.Delete(path); return true; }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
