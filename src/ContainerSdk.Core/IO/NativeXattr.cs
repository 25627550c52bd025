using System.Runtime.InteropServices;
using System.Text;

namespace ContainerSdk.Core.IO;

/// <summary>
/// llistxattr and lgetxattr called directly, with errno read at once (SetLastError). Through Mono.Posix, a
/// failed call sometimes reported errno 0 (the value was lost before it was read), which turned "no such
/// attribute" into a build error about once in seven builds. The l* calls never follow a symbolic link.
/// </summary>
internal static unsafe class NativeXattr
{
    public const int ERANGE = 34, ENODATA = 61, EOPNOTSUPP = 95;

    [DllImport("libc", SetLastError = true, EntryPoint = "llistxattr")]
    private static extern nint ListXattr([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte* list, nuint size);

    [DllImport("libc", SetLastError = true, EntryPoint = "lgetxattr")]
    private static extern nint GetXattr([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, byte* value, nuint size);

    /// <summary>The attribute names, or the errno of the failure.</summary>
    public static (string[]? Names, int Errno) List(string path)
    {
        // The list can grow between the size query and the read (ERANGE): ask again a few times.
        for (int attempt = 0; ; attempt++)
        {
            nint size = ListXattr(path, null, 0);
            if (size < 0) return (null, Marshal.GetLastPInvokeError());
            if (size == 0) return (Array.Empty<string>(), 0);
            var buffer = new byte[size];
            nint n;
            fixed (byte* p = buffer) n = ListXattr(path, p, (nuint)buffer.Length);
            if (n >= 0) return (Encoding.UTF8.GetString(buffer, 0, (int)n).Split('\0', StringSplitOptions.RemoveEmptyEntries), 0);
            int errno = Marshal.GetLastPInvokeError();
            if (errno != ERANGE || attempt >= 3) return (null, errno);
        }
    }

    /// <summary>The attribute's value, or the errno of the failure (ENODATA when the file does not have it).</summary>
    public static (byte[]? Value, int Errno) Get(string path, string name)
    {
        for (int attempt = 0; ; attempt++)
        {
            nint size = GetXattr(path, name, null, 0);
            if (size < 0) return (null, Marshal.GetLastPInvokeError());
            if (size == 0) return (Array.Empty<byte>(), 0);
            var buffer = new byte[size];
            nint n;
            fixed (byte* p = buffer) n = GetXattr(path, name, p, (nuint)buffer.Length);
            if (n >= 0) return (n == buffer.Length ? buffer : buffer[..(int)n], 0);
            int errno = Marshal.GetLastPInvokeError();
            if (errno != ERANGE || attempt >= 3) return (null, errno);
        }
    }

    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
}
