using System.Runtime.InteropServices;
using Mono.Unix.Native;

namespace ContainerSdk.Core.IO;

/// <summary>
/// lstat straight from glibc (2.33 and later export it) on x86-64, whose struct stat layout is fixed by the
/// ABI: a build with nothing changed stats every file of every module, and Mono.Posix's marshalling made
/// that the largest part of a no-op build. Other architectures use Mono.Posix.
/// </summary>
[System.Runtime.CompilerServices.SkipLocalsInit] // the path buffers on the stack are written before they are read
internal static unsafe class NativeStat
{
    [StructLayout(LayoutKind.Sequential)]
    private struct StatX64
    {
        public ulong Dev, Ino, Nlink;
        public uint Mode, Uid, Gid;
        private readonly int _pad0;
        public ulong Rdev;
        public long Size, Blksize, Blocks;
        public long Atime, AtimeNsec, Mtime, MtimeNsec, Ctime, CtimeNsec;
        private readonly long _reserved0, _reserved1, _reserved2;
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "lstat")]
    private static extern int LStatX64(byte* path, StatX64* buffer);

    private static int LStatX64(string path, StatX64* buffer)
    {
        fixed (byte* p = CString(path, stackalloc byte[StackPath])) return LStatX64(p, buffer);
    }

    /// <summary>A path that fits this many bytes is passed from the stack: no allocation per file.</summary>
    internal const int StackPath = 1024;

    /// <summary>The NUL-terminated UTF-8 the kernel takes, in <paramref name="buffer"/> (the caller's stack) when it fits.</summary>
    internal static Span<byte> CString(string text, Span<byte> buffer)
    {
        int max = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length) + 1;
        var bytes = max <= buffer.Length ? buffer : new byte[max];
        int length = System.Text.Encoding.UTF8.GetBytes(text, bytes);
        bytes[length] = 0;
        return bytes[..(length + 1)];
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "fstatat")]
    private static extern int FStatAtX64(int dirFd, byte* name, StatX64* buffer, int flags);

    private const int AtSymlinkNoFollow = 0x100;

    private static bool _useNative = RuntimeInformation.ProcessArchitecture == Architecture.X64 && OperatingSystem.IsLinux();

    /// <summary>Whether <see cref="LStatAt"/> can be used (then the caller may keep folders open to stat their entries by name); set false when the C library lacks fstatat.</summary>
    public static bool CanStatAt
    {
        get => _useNative && _fstatAt;
        set => _fstatAt = value;
    }

    private static bool _fstatAt = true;

    /// <summary>
    /// lstat of <paramref name="name"/> in the open folder <paramref name="dirFd"/> (fstatat with AT_SYMLINK_NOFOLLOW): the
    /// kernel looks up one name instead of walking the whole path again for every file. Only when <see cref="CanStatAt"/>.
    /// </summary>
    public static int LStatAt(int dirFd, string name, out Stat st, out Errno errno)
    {
        StatX64 s;
        int r;
        fixed (byte* p = CString(name, stackalloc byte[StackPath])) r = FStatAtX64(dirFd, p, &s, AtSymlinkNoFollow);
        return Result(r, in s, out st, out errno);
    }

    /// <summary>0 and the file's status, or -1 with <paramref name="errno"/> set.</summary>
    public static int LStat(string path, out Stat st, out Errno errno)
    {
        if (_useNative)
        {
            try
            {
                StatX64 s;
                return Result(LStatX64(path, &s), in s, out st, out errno);
            }
            catch (EntryPointNotFoundException)
            {
                _useNative = false; // glibc older than 2.33 exports __lxstat only
            }
        }
        int result = Syscall.lstat(path, out st);
        errno = result == 0 ? 0 : Stdlib.GetLastError();
        return result;
    }

    private static int Result(int r, in StatX64 s, out Stat st, out Errno errno)
    {
        if (r != 0)
        {
            errno = NativeConvert.ToErrno(Marshal.GetLastPInvokeError());
            st = default;
            return -1;
        }
        errno = 0;
        st = new Stat
        {
            st_dev = s.Dev, st_ino = s.Ino, st_nlink = s.Nlink, st_mode = (FilePermissions)s.Mode,
            st_uid = s.Uid, st_gid = s.Gid, st_rdev = s.Rdev, st_size = s.Size, st_blksize = s.Blksize,
            st_blocks = s.Blocks, st_atime = s.Atime, st_atime_nsec = s.AtimeNsec, st_mtime = s.Mtime,
            st_mtime_nsec = s.MtimeNsec, st_ctime = s.Ctime, st_ctime_nsec = s.CtimeNsec,
        };
        return 0;
    }
}
