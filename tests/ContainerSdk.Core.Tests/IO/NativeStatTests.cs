using ContainerSdk.Core.IO;
using ContainerSdk.Tests;
using Mono.Unix.Native;

namespace ContainerSdk.Core.Tests.IO;

/// <summary>The hand-declared struct stat must read what the C library's own wrapper (through Mono.Posix) reads.</summary>
public class NativeStatTests
{
    [Fact]
    public void Native_lstat_agrees_with_Mono_Posix_on_every_field()
    {
        using var dir = new TempDir("stat");
        var file = dir.Combine("file");
        File.WriteAllText(file, "12345");
        File.SetUnixFileMode(file, (UnixFileMode)0x9ED); // 04755
        File.CreateSymbolicLink(dir.Combine("link"), "file");
        foreach (var path in new[] { file, dir.Path, dir.Combine("link"), "/dev/null" })
        {
            Assert.Equal(0, Syscall.lstat(path, out var expected));
            Assert.Equal(0, NativeStat.LStat(path, out var actual, out _));
            Assert.Equal(
                (expected.st_dev, expected.st_ino, expected.st_nlink, expected.st_mode, expected.st_uid, expected.st_gid, expected.st_rdev, expected.st_size,
                 expected.st_mtime, expected.st_mtime_nsec, expected.st_ctime, expected.st_ctime_nsec),
                (actual.st_dev, actual.st_ino, actual.st_nlink, actual.st_mode, actual.st_uid, actual.st_gid, actual.st_rdev, actual.st_size,
                 actual.st_mtime, actual.st_mtime_nsec, actual.st_ctime, actual.st_ctime_nsec));
        }
        Assert.Equal(-1, NativeStat.LStat(dir.Combine("missing"), out _, out var errno));
        Assert.Equal(Errno.ENOENT, errno);
    }
}
