using System.Runtime.InteropServices;
using Mono.Unix.Native;

namespace ContainerSdk.Core.IO;

/// <summary>
/// lstat straight from glibc (2.33 and later export it) on x86-64, whose struct stat layout is fixed by the
/// ABI: a build with nothing changed stats every file of every module, and Mono.Posix's marshalling made
/// that the largest part of a no-op build. Other architectures use Mono.Posix.
/// </summary>
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
    private static extern int LStatX64([MarshalAs(UnmanagedType.LPUTF8Str)] string path, StatX64* buffer);

    private static bool _useNative = RuntimeInformation.ProcessArchitecture == Architecture.X64 && OperatingSystem.IsLinux();

    /// <summary>0 and the file's status, or -1 with <paramref name="errno"/> set.</summary>
    public static int LStat(string path, out Stat st, out Errno errno)
    {
        if (_useNative)
        {
            try
            {
                StatX64 s;
                int r = LStatX64(path, &s);
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
            catch (EntryPointNotFoundException)
            {
                _useNative = false; // glibc older than 2.33 exports __lxstat only
            }
        }
        int result = Syscall.lstat(path, out st);
        errno = result == 0 ? 0 : Stdlib.GetLastError();
        return result;
    }
}
