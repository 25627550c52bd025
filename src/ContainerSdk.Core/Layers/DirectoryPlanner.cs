using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Tar;
using Mono.Unix.Native;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// Plans a layer from a folder on disk. Uses lstat only (each folder opened with O_NOFOLLOW, its entries lstat'ed
/// in it): symbolic links are stored as links and never followed, so a link loop cannot hang the walk and nothing
/// outside the folder is read. Files that share an inode become hard links to the first of them in layer order.
/// </summary>
internal static class DirectoryPlanner
{
    /// <param name="readXattrs">Reads the xattrs worth keeping (ACLs, user.*, security.capability) of a path, without following links; it is given the path's identity from the lstat just made.</param>
    /// <remarks>
    /// A build with nothing changed is mostly this walk, so folders are walked concurrently, a level of the tree at a
    /// time (a module is often one big folder: splitting by top-level entry left a core idle), and their lists joined
    /// in walk order, so the result is exactly what a sequential walk gives.
    /// </remarks>
    public static List<PlannedEntry> Plan(PlanSource source, IBuildLog log, Func<string, FileIdentity, IReadOnlyDictionary<string, byte[]>>? readXattrs = null)
    {
        var (directory, itemSpec, rootKey, exclude, epoch) = (source.Path, source.ItemSpec, source.RootKey, source.Exclude, source.Epoch);
        // A folder's files are the build user's: without an override they are stored as root's.
        long uid = source.Uid ?? 0, gid = source.Gid ?? 0;
        var rootStat = LStat(directory, itemSpec);
        var root = new Folder(directory, rootKey, -1);
        if (rootKey.Length > 0)
            root.Entries.Add(new PlannedEntry(Header(rootKey + "/", TarEntryType.Directory, rootStat, uid, gid, epoch, Xattrs(directory, rootStat)), EmptyContent.Instance));

        var level = new List<Folder> { root };
        var shared = new HashSet<PlannedEntry>();
        while (level.Count > 0)
        {
            try
            {
                Parallel.For(0, level.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                    // The item itself may be a link to its folder (as the user named it); nothing found inside is followed.
                    i => Walk(level[i], followLink: level[i] == root));
            }
            catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(x => x is ContainerSdkException) is { } first)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
            }
            foreach (var folder in level) shared.UnionWith(folder.SharedInodes);
            level = level.SelectMany(f => f.Children).ToList();
        }
        var entries = new List<PlannedEntry>();
        root.AppendTo(entries);
        if (shared.Count > 0) LinkSharedInodes(entries.Where(shared.Contains));
        return entries;

        // One folder's entries, in name order; its subfolders are walked in the next level.
        void Walk(Folder folder, bool followLink)
        {
            using var open = OpenFolder.Open(folder.Path, followLink, out var errno) ?? throw FolderError(folder.Path, errno);
            var names = open.Names(out errno)?.ToArray() ?? throw FolderError(folder.Path, errno);
            Array.Sort(names, StringComparer.Ordinal);
            foreach (var name in names) Visit(open, folder, name);
        }

        ContainerSdkException FolderError(string dir, Errno errno) => errno switch
        {
            Errno.EACCES => new ContainerSdkException(Codes.InputUnreadable, $"Cannot list folder '{dir}' of '{itemSpec}': permission denied. The build needs read access to every folder of a module.", dir),
            Errno.ENOENT => new ContainerSdkException(Codes.FileChangedWhileReading, $"'{dir}' of '{itemSpec}' disappeared while the build was reading its folder.", dir),
            Errno.ELOOP or Errno.ENOTDIR => new ContainerSdkException(Codes.FileChangedWhileReading, $"'{dir}' of '{itemSpec}' changed while the build was reading its folder: it is no longer a folder.", dir),
            _ => new ContainerSdkException(Codes.InputUnreadable, $"Cannot list folder '{dir}' of '{itemSpec}': {errno}.", dir),
        };

        void Visit(OpenFolder open, Folder folder, string name)
        {
            string full = Path.Combine(folder.Path, name);
            string key = TarPath.Join(folder.Key, name);
            if (!exclude.IsEmpty && exclude.Matches(rootKey.Length == 0 ? key : key[(rootKey.Length + 1)..])) return;
            var st = open.LStat(name, full, out var found, out var errno) == 0 ? found : throw StatError(full, errno, itemSpec);
            var type = (st.st_mode & FilePermissions.S_IFMT);
            var into = folder.Entries;
            switch (type)
            {
                case FilePermissions.S_IFDIR:
                    into.Add(new PlannedEntry(Header(key + "/", TarEntryType.Directory, st, uid, gid, epoch, Xattrs(full, st)), EmptyContent.Instance));
                    folder.Children.Add(new Folder(full, key, into.Count - 1));
                    break;
                case FilePermissions.S_IFREG:
                    var file = Header(key, TarEntryType.Regular, st, uid, gid, epoch, Xattrs(full, st));
                    file.Size = st.st_size;
                    var planned = new PlannedEntry(file, new FileContent(full)) { Identity = FileIdentity.From(st) };
                    into.Add(planned);
                    if (st.st_nlink > 1) folder.SharedInodes.Add(planned);
                    break;
                case FilePermissions.S_IFLNK:
                    var symlink = Header(key, TarEntryType.SymbolicLink, st, uid, gid, epoch, Xattrs(full, st));
                    symlink.LinkName = ReadLink(full, itemSpec);
                    into.Add(new PlannedEntry(symlink, EmptyContent.Instance));
                    break;
                case FilePermissions.S_IFCHR:
                case FilePermissions.S_IFBLK:
                    var device = Header(key, type == FilePermissions.S_IFCHR ? TarEntryType.CharacterDevice : TarEntryType.BlockDevice, st, uid, gid, epoch, Xattrs(full, st));
                    (device.DeviceMajor, device.DeviceMinor) = SplitDevice(st.st_rdev);
                    into.Add(new PlannedEntry(device, EmptyContent.Instance));
                    break;
                case FilePermissions.S_IFIFO:
                    into.Add(new PlannedEntry(Header(key, TarEntryType.Fifo, st, uid, gid, epoch, Xattrs(full, st)), EmptyContent.Instance));
                    break;
                default:
                    log.Warning(Codes.SocketSkipped, $"'{full}' in '{itemSpec}' is a socket; sockets cannot be stored in a layer and it was left out.", full);
                    break;
            }
        }

        IReadOnlyDictionary<string, byte[]>? Xattrs(string path, Stat st) => readXattrs?.Invoke(path, FileIdentity.From(st));
    }

    /// <summary>A folder of the walk: its own entries in name order, and its subfolders, each to follow the entry at <see cref="After"/>.</summary>
    private sealed class Folder(string path, string key, int after)
    {
        public string Path { get; } = path;
        public string Key { get; } = key;
        public int After { get; } = after;
        public List<PlannedEntry> Entries { get; } = new();
        public List<Folder> Children { get; } = new();
        public List<PlannedEntry> SharedInodes { get; } = new();

        /// <summary>The folder's entries with each subfolder's right after the subfolder's own entry: the order a sequential walk gives.</summary>
        public void AppendTo(List<PlannedEntry> into)
        {
            int next = 0;
            foreach (var child in Children)
            {
                while (next <= child.After) into.Add(Entries[next++]);
                child.AppendTo(into);
            }
            while (next < Entries.Count) into.Add(Entries[next++]);
        }
    }

    /// <summary>Files that share an inode become hard links to the first of them in layer order, which keeps the content.</summary>
    private static void LinkSharedInodes(IEnumerable<PlannedEntry> inOrder)
    {
        var first = new Dictionary<(ulong, ulong), string>();
        foreach (var entry in inOrder)
        {
            var id = entry.Identity!.Value;
            if (first.TryAdd((id.Device, id.Inode), entry.Key)) continue;
            entry.Header.Type = TarEntryType.HardLink;
            entry.Header.LinkName = first[(id.Device, id.Inode)];
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

    internal static Stat LStat(string path, string itemSpec) =>
        IO.NativeStat.LStat(path, out var st, out var errno) == 0 ? st : throw StatError(path, errno, itemSpec);

    private static ContainerSdkException StatError(string path, Errno errno, string itemSpec) =>
        errno switch
        {
            Errno.ENOENT => new ContainerSdkException(Codes.FileChangedWhileReading, $"'{path}' of '{itemSpec}' disappeared while the build was reading its folder.", path),
            Errno.EACCES => new ContainerSdkException(Codes.InputUnreadable, $"Cannot stat '{path}' of '{itemSpec}': permission denied.", path),
            _ => new ContainerSdkException(Codes.InputUnreadable, $"Cannot stat '{path}' of '{itemSpec}': {errno}.", path),
        };

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
