using System.IO.Enumeration;
using System.Runtime.InteropServices;
using Mono.Unix.Native;

namespace ContainerSdk.Core.IO;

/// <summary>
/// A folder being walked, held open: its names listed (getdents64) and lstat'ed (fstatat) through one descriptor, so
/// the kernel resolves one name per entry instead of its whole path (a build with nothing changed stats every path of
/// every module, and the path walks were most of the kernel's share). Opened with O_NOFOLLOW: a folder swapped for a
/// symbolic link since it was lstat'ed is refused (ELOOP), never followed. Where fstatat is not at hand (not x86-64
/// glibc), the same calls go by path.
/// </summary>
[System.Runtime.CompilerServices.SkipLocalsInit] // the path buffer on the stack is written before it is read
internal sealed unsafe class OpenFolder : IDisposable
{
    // x86-64 Linux values: the descriptor path is taken on that platform only (NativeStat.CanStatAt).
    private const int ORdOnly = 0, ODirectory = 0x10000, ONoFollow = 0x20000, OCloExec = 0x80000;

    [DllImport("libc", SetLastError = true, EntryPoint = "open")]
    private static extern int OpenX64(byte* path, int flags);

    [DllImport("libc", SetLastError = true, EntryPoint = "getdents64")]
    private static extern nint GetDents64(int fd, byte* buffer, nuint count);

    [DllImport("libc", SetLastError = true, EntryPoint = "close")]
    private static extern int CloseX64(int fd);

    /// <summary>As <see cref="Directory.EnumerateFileSystemEntries(string)"/> lists: dot names included, errors thrown.</summary>
    private static readonly EnumerationOptions ListOptions = new() { AttributesToSkip = 0, IgnoreInaccessible = false, RecurseSubdirectories = false };

    private int _fd;

    /// <summary>Set once a C library without getdents64 (musl 1.2.4 and later) is met: folders are then listed by path.</summary>
    private static bool _listByPath;

    private OpenFolder(string path, int fd)
    {
        Path = path;
        _fd = fd;
    }

    public string Path { get; }

    /// <summary>Opens the folder at <paramref name="path"/>, or null with <paramref name="errno"/> (EACCES, ENOENT, ELOOP or ENOTDIR when it was replaced...).</summary>
    /// <param name="followLink">Whether <paramref name="path"/> itself may be a symbolic link to a folder (an input named so by the user), never a path found inside one.</param>
    public static OpenFolder? Open(string path, bool followLink, out Errno errno)
    {
        errno = 0;
        if (!NativeStat.CanStatAt) return new OpenFolder(path, -1);
        int fd;
        fixed (byte* p = NativeStat.CString(path, stackalloc byte[NativeStat.StackPath])) fd = OpenX64(p, ORdOnly | ODirectory | OCloExec | (followLink ? 0 : ONoFollow));
        if (fd >= 0) return new OpenFolder(path, fd);
        errno = NativeConvert.ToErrno(Marshal.GetLastPInvokeError());
        return null;
    }

    /// <summary>The folder's names (without "." and ".."), in no particular order; null with <paramref name="errno"/> when it cannot be read.</summary>
    public List<string>? Names(out Errno errno)
    {
        errno = 0;
        if (_fd < 0 || _listByPath) return NamesByPath(out errno);
        try
        {
            return NamesByDescriptor(out errno);
        }
        catch (EntryPointNotFoundException)
        {
            _listByPath = true;
            return NamesByPath(out errno);
        }
    }

    private List<string>? NamesByDescriptor(out Errno errno)
    {
        errno = 0;
        var names = new List<string>();
        const int size = 32 * 1024;
        byte* buffer = (byte*)NativeMemory.Alloc(size);
        try
        {
            while (true)
            {
                nint n = GetDents64(_fd, buffer, size);
                if (n == 0) return names;
                if (n < 0)
                {
                    errno = NativeConvert.ToErrno(Marshal.GetLastPInvokeError());
                    return null;
                }
                // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name (NUL-terminated).
                for (nint at = 0; at < n;)
                {
                    byte* record = buffer + at;
                    ushort length = *(ushort*)(record + 16);
                    var name = new ReadOnlySpan<byte>(record + 19, length - 19);
                    name = name[..name.IndexOf((byte)0)];
                    if (!(name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))) names.Add(System.Text.Encoding.UTF8.GetString(name));
                    at += length;
                }
            }
        }
        finally
        {
            NativeMemory.Free(buffer);
        }
    }

    private List<string>? NamesByPath(out Errno errno)
    {
        errno = 0;
        try
        {
            return new FileSystemEnumerable<string>(Path, (ref FileSystemEntry e) => e.FileName.ToString(), ListOptions).ToList();
        }
        catch (UnauthorizedAccessException) { errno = Errno.EACCES; }
        catch (DirectoryNotFoundException) { errno = Errno.ENOENT; }
        catch (IOException) { errno = Errno.EIO; }
        return null;
    }

    /// <summary>lstat of one of the folder's entries; <paramref name="fullPath"/> is its path (<see cref="Path"/>/name).</summary>
    public int LStat(string name, string fullPath, out Stat st, out Errno errno)
    {
        if (_fd >= 0 && NativeStat.CanStatAt)
        {
            try { return NativeStat.LStatAt(_fd, name, out st, out errno); }
            catch (EntryPointNotFoundException) { NativeStat.CanStatAt = false; }
        }
        return NativeStat.LStat(fullPath, out st, out errno);
    }

    public void Dispose()
    {
        if (_fd >= 0) CloseX64(_fd);
        _fd = -1;
    }
}
