using System.Reflection;
using System.Runtime.InteropServices;

namespace ContainerSdk.Tasks;

/// <summary>
/// Mono.Posix P/Invokes "MonoPosixHelper". Inside MSBuild the tasks assembly is loaded by MSBuild's own load
/// context from the package's tools/net8.0 folder, where the host's deps.json probing does not apply, so the
/// native helper shipped beside the assemblies would not be found. Resolve it from the folder of Mono.Posix
/// itself (flat package layout) or from runtimes/linux-x64/native below it (a portable build output).
/// </summary>
internal static class NativeLibraryResolver
{
    private static int _registered;

    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        Assembly posix;
        try
        {
            posix = typeof(Mono.Unix.Native.Syscall).Assembly;
        }
        catch (Exception)
        {
            return; // Mono.Posix is missing altogether: the engine reports that where it needs it.
        }
        try
        {
            NativeLibrary.SetDllImportResolver(posix, Resolve);
        }
        catch (InvalidOperationException)
        {
            // Someone (the engine, a test host) registered a resolver first: theirs stays.
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!name.Contains("MonoPosixHelper", StringComparison.Ordinal)) return IntPtr.Zero;
        string folder = Path.GetDirectoryName(assembly.Location) ?? "";
        string rid = $"{(OperatingSystem.IsMacOS() ? "osx" : "linux")}-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
        string file = OperatingSystem.IsMacOS() ? "libMonoPosixHelper.dylib" : "libMonoPosixHelper.so";
        foreach (var candidate in new[] { Path.Combine(folder, file), Path.Combine(folder, "runtimes", rid, "native", file) })
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
                return handle;
        return IntPtr.Zero; // fall back to the default probing
    }
}
