using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Tar;
using Mono.Unix.Native;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// Plans a layer from a folder on disk. Uses lstat only: symbolic links are stored as links and never
/// followed, so a link loop cannot hang the walk and nothing outside the folder is read. Files that share
/// an inode become hard links to the first of them in layer order.
/// </summary>
public static class DirectoryPlanner
{
    /// <param name="rootKey">Image path (key form) where the folder's root lands; "" for "/".</param>
    /// <param name="readXattrs">Reads the xattrs worth keeping (ACLs, user.*, security.capability) of a path, without following links.</param>
    public static List<PlannedEntry> Plan(string directory, string itemSpec, string rootKey, PathGlob exclude,
        long uid, long gid, long epoch, IBuildLog log, Func<string, IReadOnlyDictionary<string, byte[]>>? readXattrs = null)
    {
        var entries = new List<PlannedEntry>();
        var firstPathOfInode = new Dictionary<(ulong Dev, ulong Ino), string>();

        var rootStat = LStat(directory, itemSpec);
        if (rootKey.Length > 0)
            entries.Add(new PlannedEntry(Header(rootKey + "/", TarEntryType.Directory, rootStat, uid, gid, epoch, Xattrs(directory)), EmptyContent.Instance));

        Walk(directory, "");
        return entries;

        void Walk(string dir, string relative)
        {
            string[] names;
            try
            {
                names = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).ToArray()!;
            }
            catch (UnauthorizedAccessException e)
            {
                throw new ContainerSdkException(Codes.InputUnreadable, $"Cannot list folder '{dir}' of '{itemSpec}': permission denied. The build needs read access to every folder of a module.", dir, inner: e);
            }
            Array.Sort(names, StringComparer.Ordinal);
            foreach (var name in names)
            {
                string full = Path.Combine(dir, name);
                string rel = relative.Length == 0 ? name : relative + "/" + name;
                if (!exclude.IsEmpty && exclude.Matches(rel)) continue;
                string key = TarPath.Join(rootKey, rel);
                var st = LStat(full, itemSpec);
                var type = (st.st_mode & FilePermissions.S_IFMT);
                switch (type)
                {
                    case FilePermissions.S_IFDIR:
                        entries.Add(new PlannedEntry(Header(key + "/", TarEntryType.Directory, st, uid, gid, epoch, Xattrs(full)), EmptyContent.Instance));
                        Walk(full, rel);
                        break;
                    case FilePermissions.S_IFREG:
                        if (st.st_nlink > 1)
                        {
                            if (firstPathOfInode.TryGetValue((st.st_dev, st.st_ino), out var first))
                            {
                                var link = Header(key, TarEntryType.HardLink, st, uid, gid, epoch, Xattrs(full));
                                link.LinkName = first;
                                entries.Add(new PlannedEntry(link, EmptyContent.Instance));
                                break;
                            }
                            firstPathOfInode[(st.st_dev, st.st_ino)] = key;
                        }
                        var file = Header(key, TarEntryType.Regular, st, uid, gid, epoch, Xattrs(full));
                        file.Size = st.st_size;
                        entries.Add(new PlannedEntry(file, new FileContent(full)) { Identity = Cache.FileIdentity.From(st) });
                        break;
                    case FilePermissions.S_IFLNK:
                        var symlink = Header(key, TarEntryType.SymbolicLink, st, uid, gid, epoch, Xattrs(full));
                        symlink.LinkName = ReadLink(full, itemSpec);
                        entries.Add(new PlannedEntry(symlink, EmptyContent.Instance));
                        break;
                    case FilePermissions.S_IFCHR:
                    case FilePermissions.S_IFBLK:
                        var device = Header(key, type == FilePermissions.S_IFCHR ? TarEntryType.CharacterDevice : TarEntryType.BlockDevice, st, uid, gid, epoch, Xattrs(full));
                        (device.DeviceMajor, device.DeviceMinor) = SplitDevice(st.st_rdev);
                        entries.Add(new PlannedEntry(device, EmptyContent.Instance));
                        break;
                    case FilePermissions.S_IFIFO:
                        entries.Add(new PlannedEntry(Header(key, TarEntryType.Fifo, st, uid, gid, epoch, Xattrs(full)), EmptyContent.Instance));
                        break;
                    default:
                        log.Warning(Codes.SocketSkipped, $"'{full}' in '{itemSpec}' is a socket; sockets cannot be stored in a layer and it was left out.", full);
                        break;
                }
            }
        }

        IReadOnlyDictionary<string, byte[]>? Xattrs(string path) => readXattrs?.Invoke(path);
    }

    private static TarHeader Header(string name, TarEntryType type, Stat st, long uid, long gid, long epoch, IReadOnlyDictionary<string, byte[]>? xattrs)
    {
        var header = new TarHeader
        {
            Name = name,
            Type = type,
            Mode = (int)((uint)st.st_mode & 0xFFF),
            Uid = uid,
            Gid = gid,
            ModificationTime = epoch,
        };
        if (xattrs is not null)
            foreach (var (k, v) in xattrs) header.PaxRecords[k] = v;
        return header;
    }

    internal static Stat LStat(string path, string itemSpec)
    {
        if (IO.NativeStat.LStat(path, out var st, out var errno) == 0) return st;
        throw errno switch
        {
            Errno.ENOENT => new ContainerSdkException(Codes.FileChangedWhileReading, $"'{path}' of '{itemSpec}' disappeared while the build was reading its folder.", path),
            Errno.EACCES => new ContainerSdkException(Codes.InputUnreadable, $"Cannot stat '{path}' of '{itemSpec}': permission denied.", path),
            _ => new ContainerSdkException(Codes.InputUnreadable, $"Cannot stat '{path}' of '{itemSpec}': {errno}.", path),
        };
    }

    private static string ReadLink(string path, string itemSpec)
    {
        var buffer = new byte[4096];
        long n = Syscall.readlink(path, buffer);
        if (n < 0) throw new ContainerSdkException(Codes.InputUnreadable, $"Cannot read symbolic link '{path}' of '{itemSpec}': {Stdlib.GetLastError()}.", path);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, (int)n);
    }

    /// <summary>Linux's dev_t encoding (glibc gnu_dev_major/minor).</summary>
    private static (int Major, int Minor) SplitDevice(ulong rdev) =>
        ((int)(((rdev >> 8) & 0xFFF) | ((rdev >> 32) & ~0xFFFUL)), (int)((rdev & 0xFF) | ((rdev >> 12) & ~0xFFUL)));
}
