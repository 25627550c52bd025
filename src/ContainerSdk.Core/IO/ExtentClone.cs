using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ContainerSdk.Core.IO;

/// <summary>
/// FICLONERANGE: makes a range of one file share the extents of a range of another on the same file system (XFS with
/// reflink, btrfs), as <c>cp --reflink</c> does, so that copying it costs no data I/O and no disk space. The ranges must
/// start on file system blocks (4 KiB) and the length be whole blocks unless it ends the source. Where the file system
/// cannot share (ext4, tmpfs, another file system), the call fails at once and the caller copies as before.
/// </summary>
internal static class ExtentClone
{
    [StructLayout(LayoutKind.Sequential)]
    private struct FileCloneRange
    {
        public long SourceFd;
        public ulong SourceOffset, SourceLength, DestinationOffset;
    }

    // _IOW(0x94, 13, struct file_clone_range): linux/fs.h.
    private const ulong Ficlonerange = 0x4020940D;

    [DllImport("libc", SetLastError = true, EntryPoint = "ioctl")]
    private static extern int Ioctl(int fd, ulong request, ref FileCloneRange range);

    private static volatile bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>True when the destination's range now shares the source's extents; false when it could not (nothing was changed).</summary>
    public static bool TryCloneRange(SafeFileHandle source, long sourceOffset, long length, SafeFileHandle destination, long destinationOffset)
    {
        if (_unavailable || length <= 0) return false;
        var range = new FileCloneRange
        {
            SourceFd = source.DangerousGetHandle(), SourceOffset = (ulong)sourceOffset, SourceLength = (ulong)length, DestinationOffset = (ulong)destinationOffset,
        };
        try
        {
            return Ioctl((int)destination.DangerousGetHandle(), Ficlonerange, ref range) == 0;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _unavailable = true;
            return false;
        }
    }
}
