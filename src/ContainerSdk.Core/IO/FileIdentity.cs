using Mono.Unix.Native;

namespace ContainerSdk.Core.IO;

/// <summary>
/// What lstat says about a file that changes when its content may have: git's index keeps the same fields.
/// ctime cannot be set from user space, so a rewrite that restores the mtime still shows.
/// </summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, long Size, long MTimeNs, long CTimeNs)
{
    public static FileIdentity From(in Stat st) =>
        new(st.st_dev, st.st_ino, st.st_size, st.st_mtime * 1_000_000_000 + st.st_mtime_nsec, st.st_ctime * 1_000_000_000 + st.st_ctime_nsec);

    /// <summary>
    /// The identity as text, for records that must notice when a file they describe was touched since (a cached
    /// blob, a bundle segment, the bundle itself): any write, rename over or metadata change moves one of these.
    /// </summary>
    public string Stamp => FormattableString.Invariant($"{Device}:{Inode}:{Size}:{MTimeNs}:{CTimeNs}");

    /// <summary>The <see cref="Stamp"/> of a path, or "missing".</summary>
    public static string StampOf(string path) => Of(path)?.Stamp ?? "missing";

    /// <summary>lstat of a path, or null when it cannot be read.</summary>
    public static FileIdentity? Of(string path) => IO.NativeStat.LStat(path, out var st, out _) == 0 ? From(st) : null;

    /// <summary>fstat of an open file, to tell whether it changed while it was being read.</summary>
    public static FileIdentity? Of(Microsoft.Win32.SafeHandles.SafeFileHandle handle) =>
        Syscall.fstat((int)handle.DangerousGetHandle(), out var st) == 0 ? From(st) : null;
}
