using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Tar;
using Mono.Unix.Native;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// Plans a layer from a folder on disk. Uses lstat only: symbolic links are stored as links and never
/// followed, so a link loop cannot hang the walk and nothing outside the folder is read. Files that share
/// an inode become hard links to the first of them in layer order.
/// </summary>
public static class DirectoryPlanner
{
    /// <param name="readXattrs">Reads the xattrs worth keeping (ACLs, user.*, security.capability) of a path, without following links; it is given the path's identity from the lstat just made.</param>
    /// <remarks>
    /// The folder's top-level entries are walked concurrently (a build with nothing changed is mostly this walk) and
    /// their lists joined in name order, so the result is exactly what a sequential walk gives.
    /// </remarks>
    public static List<PlannedEntry> Plan(PlanSource source, IBuildLog log, Func<string, FileIdentity, IReadOnlyDictionary<string, byte[]>>? readXattrs = null)
    {
        var (directory, itemSpec, rootKey, exclude, epoch) = (source.Path, source.ItemSpec, source.RootKey, source.Exclude, source.Epoch);
        // A folder's files are the build user's: without an override they are stored as root's.
        long uid = source.Uid ?? 0, gid = source.Gid ?? 0;
        var entries = new List<PlannedEntry>();
        var rootStat = LStat(directory, itemSpec);
        if (rootKey.Length > 0)
            entries.Add(new PlannedEntry(Header(rootKey + "/", TarEntryType.Directory, rootStat, uid, gid, epoch, Xattrs(directory, rootStat)), EmptyContent.Instance));

        var top = List(directory);
        var parts = new Walked[top.Length];
        try
        {
            Parallel.For(0, top.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                parts[i] = new Walked();
                Visit(directory, "", top[i], parts[i]);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(x => x is ContainerSdkException) is { } first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }
        foreach (var part in parts) entries.AddRange(part.Entries);
        LinkSharedInodes(parts.SelectMany(p => p.SharedInodes));
        return entries;

        string[] List(string dir)
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
            return names;
        }

        void Visit(string dir, string relative, string name, Walked into)
        {
            string full = Path.Combine(dir, name);
            string rel = relative.Length == 0 ? name : relative + "/" + name;
            if (!exclude.IsEmpty && exclude.Matches(rel)) return;
            string key = TarPath.Join(rootKey, rel);
            var st = LStat(full, itemSpec);
            var type = (st.st_mode & FilePermissions.S_IFMT);
            switch (type)
            {
                case FilePermissions.S_IFDIR:
                    into.Entries.Add(new PlannedEntry(Header(key + "/", TarEntryType.Directory, st, uid, gid, epoch, Xattrs(full, st)), EmptyContent.Instance));
                    foreach (var child in List(full)) Visit(full, rel, child, into);
                    break;
                case FilePermissions.S_IFREG:
                    var file = Header(key, TarEntryType.Regular, st, uid, gid, epoch, Xattrs(full, st));
                    file.Size = st.st_size;
                    var planned = new PlannedEntry(file, new FileContent(full)) { Identity = FileIdentity.From(st) };
                    into.Entries.Add(planned);
                    if (st.st_nlink > 1) into.SharedInodes.Add((planned, st.st_dev, st.st_ino));
                    break;
                case FilePermissions.S_IFLNK:
                    var symlink = Header(key, TarEntryType.SymbolicLink, st, uid, gid, epoch, Xattrs(full, st));
                    symlink.LinkName = ReadLink(full, itemSpec);
                    into.Entries.Add(new PlannedEntry(symlink, EmptyContent.Instance));
                    break;
                case FilePermissions.S_IFCHR:
                case FilePermissions.S_IFBLK:
                    var device = Header(key, type == FilePermissions.S_IFCHR ? TarEntryType.CharacterDevice : TarEntryType.BlockDevice, st, uid, gid, epoch, Xattrs(full, st));
                    (device.DeviceMajor, device.DeviceMinor) = SplitDevice(st.st_rdev);
                    into.Entries.Add(new PlannedEntry(device, EmptyContent.Instance));
                    break;
                case FilePermissions.S_IFIFO:
                    into.Entries.Add(new PlannedEntry(Header(key, TarEntryType.Fifo, st, uid, gid, epoch, Xattrs(full, st)), EmptyContent.Instance));
                    break;
                default:
                    log.Warning(Codes.SocketSkipped, $"'{full}' in '{itemSpec}' is a socket; sockets cannot be stored in a layer and it was left out.", full);
                    break;
            }
        }

        IReadOnlyDictionary<string, byte[]>? Xattrs(string path, Stat st) => readXattrs?.Invoke(path, FileIdentity.From(st));
    }

    /// <summary>What one top-level entry of the folder holds, and its files that share an inode with another path.</summary>
    private sealed class Walked
    {
        public List<PlannedEntry> Entries { get; } = new();
        public List<(PlannedEntry Entry, ulong Dev, ulong Ino)> SharedInodes { get; } = new();
    }

    /// <summary>Files that share an inode become hard links to the first of them in layer order, which keeps the content.</summary>
    private static void LinkSharedInodes(IEnumerable<(PlannedEntry Entry, ulong Dev, ulong Ino)> inOrder)
    {
        var first = new Dictionary<(ulong, ulong), string>();
        foreach (var (entry, dev, ino) in inOrder)
        {
            if (first.TryAdd((dev, ino), entry.Key)) continue;
            entry.Header.Type = TarEntryType.HardLink;
            entry.Header.LinkName = first[(dev, ino)];
            entry.Header.Size = 0;
            entry.Content = EmptyContent.Instance;
            entry.Identity = null;
        }
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
