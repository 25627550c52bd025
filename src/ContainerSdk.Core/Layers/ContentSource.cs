using ContainerSdk.Core.Diagnostics;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Layers;

/// <summary>Where a planned entry's bytes come from; opened only when the layer is written.</summary>
internal abstract class ContentSource
{
    public abstract Stream Open();

    /// <summary>For messages: the file (and position) the bytes come from.</summary>
    public abstract string Describe();
}

/// <summary>A regular file of a module or base directory.</summary>
internal sealed class FileContent(string path) : ContentSource
{
    public string Path { get; } = path;

    /// <summary>
    /// Opens with O_NOFOLLOW: the walk saw a regular file here, and if it was swapped for a symbolic
    /// link since, the open fails instead of reading whatever the link points at.
    /// </summary>
    public override Stream Open()
    {
        int fd = Syscall.open(Path, OpenFlags.O_RDONLY | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC);
        if (fd < 0)
        {
            var errno = Stdlib.GetLastError();
            throw new ContainerSdkException(errno == Errno.EACCES ? Codes.InputUnreadable : Codes.FileChangedWhileReading,
                errno == Errno.EACCES
                    ? $"Cannot read '{Path}': permission denied. The build needs read access to every file of a module."
                    : $"Cannot open '{Path}' ({errno}): it changed while the build was reading its folder.", Path);
        }
        return new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, bufferSize: 0);
    }

    public override string Describe() => Path;
}

/// <summary>A slice of a file: an entry's data inside a tar (spooled or original).</summary>
internal sealed class SliceContent(LazySpool spool, long offset, long length) : ContentSource
{
    public override Stream Open()
    {
        string path = spool.Path;
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        file.Position = offset;
        return new SliceStream(file, length);
    }

    public override string Describe() => $"{spool.Path} at byte {offset}";
}

/// <summary>Bytes held in memory: small files kept in a tarball's index (the image's account files).</summary>
internal sealed class BytesContent(byte[] bytes) : ContentSource
{
    public override Stream Open() => new MemoryStream(bytes, writable: false);
    public override string Describe() => $"({bytes.Length} bytes kept in the tarball's index)";
}

/// <summary>No bytes: directories, links, devices, whiteouts.</summary>
internal sealed class EmptyContent : ContentSource
{
    public static readonly EmptyContent Instance = new();
    public override Stream Open() => Stream.Null;
    public override string Describe() => "(no content)";
}
