using System.Security.Cryptography;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Squashfs;
using ContainerSdk.Core.Tar;
using Mono.Unix.Native;

namespace ContainerSdk.Core.Tests.Squashfs;

/// <summary>What a reader showed of one path: enough to compare it with the entry it was written from.</summary>
internal sealed record SeenEntry(SquashfsEntryType Type, int Mode, long Uid, long Gid, long Time, string Target, int Major, int Minor,
    string? Hash, SortedDictionary<string, string> Xattrs, ulong Inode = 0, ulong Links = 0, string HardLinkTo = "");

/// <summary>Reads a tree back (a mounted or unpacked image, or a tar) and holds it against the sample it was written from.</summary>
internal static class SquashfsTreeCheck
{
    /// <summary>Every path under <paramref name="root"/> (the root itself as ""), by lstat; links are not followed.</summary>
    public static Dictionary<string, SeenEntry> FromFolder(string root, bool xattrs = true)
    {
        var seen = new Dictionary<string, SeenEntry>(StringComparer.Ordinal);
        void Walk(string relative)
        {
            string full = relative.Length == 0 ? root : Path.Combine(root, relative);
            Assert.Equal(0, Syscall.lstat(full, out var st));
            var kind = (FilePermissions)((uint)st.st_mode & (uint)FilePermissions.S_IFMT);
            var type = kind switch
            {
                FilePermissions.S_IFDIR => SquashfsEntryType.Directory,
                FilePermissions.S_IFREG => SquashfsEntryType.File,
                FilePermissions.S_IFLNK => SquashfsEntryType.SymbolicLink,
                FilePermissions.S_IFCHR => SquashfsEntryType.CharacterDevice,
                FilePermissions.S_IFBLK => SquashfsEntryType.BlockDevice,
                FilePermissions.S_IFIFO => SquashfsEntryType.Fifo,
                _ => SquashfsEntryType.Socket,
            };
            ulong rdev = st.st_rdev;
            int major = (int)(((rdev >> 8) & 0xFFF) | ((rdev >> 32) & ~0xFFFUL));
            int minor = (int)((rdev & 0xFF) | ((rdev >> 12) & ~0xFFUL));
            var names = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (xattrs && type != SquashfsEntryType.SymbolicLink)
            {
                var (list, _) = NativeXattr.List(full);
                foreach (var name in list ?? Array.Empty<string>())
                    names[name] = Convert.ToHexString(NativeXattr.Get(full, name).Value ?? Array.Empty<byte>());
            }
            seen[relative] = new SeenEntry(type, (int)((uint)st.st_mode & 0xFFF), st.st_uid, st.st_gid, st.st_mtime,
                type == SquashfsEntryType.SymbolicLink ? new FileInfo(full).LinkTarget ?? "" : "",
                type is SquashfsEntryType.CharacterDevice or SquashfsEntryType.BlockDevice ? major : 0,
                type is SquashfsEntryType.CharacterDevice or SquashfsEntryType.BlockDevice ? minor : 0,
                type == SquashfsEntryType.File ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(full))) : null,
                names, st.st_ino, st.st_nlink);
            if (type != SquashfsEntryType.Directory) return;
            foreach (var child in Directory.EnumerateFileSystemEntries(full, "*", new EnumerationOptions { AttributesToSkip = 0, RecurseSubdirectories = false }))
                Walk(relative.Length == 0 ? Path.GetFileName(child) : relative + "/" + Path.GetFileName(child));
        }
        Walk("");
        return seen;
    }

    /// <summary>A tar as sqfs2tar writes it (hard links as link entries, xattrs as SCHILY.xattr records).</summary>
    public static Dictionary<string, SeenEntry> FromTar(byte[] tar)
    {
        var seen = new Dictionary<string, SeenEntry>(StringComparer.Ordinal);
        using var reader = new TarReader(new MemoryStream(tar), "sqfs2tar");
        while (reader.Next() is { } h)
        {
            string path = TarPath.Normalize(h.Name);
            var xattrs = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in h.PaxRecordsRead)
                if (key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal)) xattrs[key["SCHILY.xattr.".Length..]] = Convert.ToHexString(value);
            var type = h.Type switch
            {
                TarEntryType.Directory => SquashfsEntryType.Directory,
                TarEntryType.Regular => SquashfsEntryType.File,
                TarEntryType.SymbolicLink => SquashfsEntryType.SymbolicLink,
                TarEntryType.HardLink => SquashfsEntryType.HardLink,
                TarEntryType.CharacterDevice => SquashfsEntryType.CharacterDevice,
                TarEntryType.BlockDevice => SquashfsEntryType.BlockDevice,
                _ => SquashfsEntryType.Fifo,
            };
            using var content = new MemoryStream();
            reader.Content.CopyTo(content);
            seen[path] = new SeenEntry(type, h.Mode & 0xFFF, h.Uid, h.Gid, h.ModificationTime,
                type == SquashfsEntryType.SymbolicLink ? h.LinkName : "", h.DeviceMajor, h.DeviceMinor,
                type == SquashfsEntryType.File ? Convert.ToHexString(SHA256.HashData(content.ToArray())) : null, xattrs,
                HardLinkTo: type == SquashfsEntryType.HardLink ? TarPath.Normalize(h.LinkName) : "");
        }
        return seen;
    }

    /// <summary>
    /// Holds what a reader saw against the sample: the same paths (less the kinds the reader cannot show), and for each the
    /// type, mode, owners, time, link target, device numbers, content and storable xattrs; hard links one inode, two names.
    /// </summary>
    public static void AssertMatches(SquashfsSample sample, Dictionary<string, SeenEntry> seen, string reader,
        bool times = true, bool symlinkTimes = true, bool sockets = true, bool rootAttributes = true, bool inodes = true, bool xattrs = true, Func<string, bool>? xattrShown = null, bool inodeNumbers = true)
    {
        var expectedPaths = sample.Entries.Where(e => sockets || e.Type != SquashfsEntryType.Socket).Select(e => e.Path).OrderBy(p => p, StringComparer.Ordinal).ToList();
        Assert.Equal(expectedPaths, seen.Keys.OrderBy(p => p, StringComparer.Ordinal).ToList());
        foreach (var entry in sample.Entries)
        {
            if (!seen.TryGetValue(entry.Path, out var got)) continue;
            string what = $"{reader}: '{entry.Path}'";
            if (entry.Path.Length == 0 && !rootAttributes) continue;
            if (entry.Type == SquashfsEntryType.HardLink)
            {
                var target = seen[entry.LinkTarget];
                if (got.Type == SquashfsEntryType.HardLink) Assert.True(entry.LinkTarget == got.HardLinkTo, what);
                else if (inodes)
                {
                    if (inodeNumbers) Assert.True(target.Inode == got.Inode, $"{what}: inode {got.Inode}, its target's {target.Inode}");
                    Assert.True(got.Links == 2 && target.Links == 2, $"{what}: nlink {got.Links} and {target.Links}, not 2");
                }
                continue;
            }
            Assert.True(entry.Type == got.Type, $"{what}: type {got.Type}, written {entry.Type}");
            Assert.True(entry.Mode == got.Mode, $"{what}: mode {Convert.ToString(got.Mode, 8)}, written {Convert.ToString(entry.Mode, 8)}");
            Assert.True(entry.Uid == got.Uid && entry.Gid == got.Gid, $"{what}: owner {got.Uid}:{got.Gid}, written {entry.Uid}:{entry.Gid}");
            if (times && (symlinkTimes || entry.Type != SquashfsEntryType.SymbolicLink))
                Assert.True(entry.ModificationTime == got.Time, $"{what}: mtime {got.Time}, written {entry.ModificationTime}");
            if (entry.Type == SquashfsEntryType.SymbolicLink) Assert.True(entry.LinkTarget == got.Target, $"{what}: target '{got.Target}'");
            if (entry.Type is SquashfsEntryType.CharacterDevice or SquashfsEntryType.BlockDevice)
                Assert.True(entry.DeviceMajor == got.Major && entry.DeviceMinor == got.Minor, $"{what}: device {got.Major},{got.Minor}");
            if (entry.Type == SquashfsEntryType.File) Assert.True(SquashfsSample.Hash(sample.Contents[entry.Path]) == got.Hash, $"{what}: content differs");
            if (xattrs && entry.Type != SquashfsEntryType.SymbolicLink)
            {
                var shown = xattrShown ?? (_ => true);
                var want = string.Join(", ", SquashfsSample.Storable(entry.Xattrs).Where(x => shown(x.Key)).Select(x => $"{x.Key}={x.Value}"));
                var have = string.Join(", ", got.Xattrs.Where(x => shown(x.Key)).Select(x => $"{x.Key}={x.Value}"));
                Assert.True(want == have, $"{what}: xattrs [{have}], written [{want}]");
            }
            if (inodes && entry.Type == SquashfsEntryType.Directory)
                Assert.True((ulong)(2 + sample.Entries.Count(e => e.Type == SquashfsEntryType.Directory && e.Path.Length > 0 && ParentOf(e.Path) == entry.Path)) == got.Links, $"{what}: nlink {got.Links}");
        }
    }

    private static string ParentOf(string path) => path.LastIndexOf('/') is var i and >= 0 ? path[..i] : "";
}
