using System.Security.Cryptography;
using System.Text;
using ContainerSdk.Core.Squashfs;

namespace ContainerSdk.Core.Tests.Squashfs;

/// <summary>
/// A tree with every kind of entry an image holds, and what a reader of the image must find: the tree itself. Contents are
/// made from a fixed seed, so every run writes the same image.
/// </summary>
internal sealed class SquashfsSample
{
    public const long Time = 1700000000;
    public const int BlockSize = 128 * 1024;

    public List<SquashfsEntry> Entries { get; } = new();
    public Dictionary<string, byte[]> Contents { get; } = new(StringComparer.Ordinal);

    /// <summary>Names in one folder whose byte order (UTF-8) differs from UTF-16 order: U+FF21 sorts before U+1F600 only in bytes.</summary>
    public static readonly string[] OrderNames = { "a", "B", "a-b", "a.b", "a_b", "ab", "\u00e4", "\uff21", "\U0001F600", "~" };

    public static SquashfsSample Build()
    {
        var s = new SquashfsSample();
        var random = new Random(21);
        s.Dir("", 0x1ED);
        s.Dir("bin", 0x1ED);
        s.File("bin/tool", Random(random, 4095), mode: 0x9ED); // 04755 setuid
        s.File("bin/sgid-tool", Random(random, 100), mode: 0x5ED); // 02755 setgid
        s.Dir("data", 0x1ED);
        s.File("data/empty", Array.Empty<byte>());
        s.File("data/one", new byte[] { 42 });
        s.File("data/f4095", Random(random, 4095));
        s.File("data/block", Random(random, BlockSize));
        s.File("data/block-plus-one", Random(random, BlockSize + 1));
        s.File("data/random-3m", Random(random, 3 * 1024 * 1024 + 17));
        s.File("data/text-5m", Text(random, 5 * 1024 * 1024 + 5), hashed: true);
        s.File("data/text-copy", s.Contents["data/text-5m"], hashed: true); // identical content (the caller's digest says so): shares blocks, not read
        s.File("data/small-copy", s.Contents["data/f4095"]); // a small file the writer finds identical itself
        var sparse = new byte[3 * BlockSize + 10];
        sparse[^5] = 7;
        s.File("data/zeros", sparse);
        s.File("data/hardlinked", Text(random, 9000), uid: 1000, gid: 1000);
        s.File("data/owned", Text(random, 50), uid: 100000, gid: 200000);
        s.File("data/xattrs", Text(random, 10), xattrs: new()
        {
            ["user.comment"] = Encoding.UTF8.GetBytes("hello"),
            ["security.capability"] = new byte[] { 1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
            ["trusted.note"] = new byte[] { 0, 1, 2, 255 },
            ["user.empty"] = Array.Empty<byte>(),
        });
        s.Dir("deep", 0x1ED);
        s.Dir("deep/er", 0x1C0, uid: 5, gid: 6, xattrs: new() { ["user.folder"] = Encoding.UTF8.GetBytes("yes") });
        s.Dir("deep/er/est", 0x1ED);
        s.File("deep/er/est/leaf", Text(random, 300));
        s.Dir("empty", 0x1ED);
        s.Dir("tmp", 0x3FF); // 01777 sticky
        s.Dir("shared", 0x5ED, gid: 70000); // 02755
        s.Dir("dev", 0x1ED);
        s.Special("dev/big", SquashfsEntryType.CharacterDevice, 300, 70000);
        s.Special("dev/fifo", SquashfsEntryType.Fifo);
        s.Special("dev/null", SquashfsEntryType.CharacterDevice, 1, 3);
        s.Special("dev/sda", SquashfsEntryType.BlockDevice, 8, 1);
        s.Special("dev/socket", SquashfsEntryType.Socket);
        s.Dir("links", 0x1ED);
        s.Entries.Add(new SquashfsEntry("links/absolute", SquashfsEntryType.SymbolicLink) { Mode = 0x1FF, LinkTarget = "/etc/passwd", ModificationTime = Time });
        s.Entries.Add(new SquashfsEntry("links/dangling", SquashfsEntryType.SymbolicLink) { Mode = 0x1FF, LinkTarget = "nowhere/at all", ModificationTime = Time });
        s.Entries.Add(new SquashfsEntry("links/hardlink", SquashfsEntryType.HardLink) { LinkTarget = "data/hardlinked", ModificationTime = Time });
        s.Entries.Add(new SquashfsEntry("links/relative", SquashfsEntryType.SymbolicLink) { Mode = 0x1FF, LinkTarget = "../data/one", ModificationTime = Time });
        s.Dir("many", 0x1ED);
        var names = Enumerable.Range(0, 300).Select(i => $"file{i:D3}").Concat(OrderNames)
            .OrderBy(n => n, StringComparer.Ordinal).ToList();
        foreach (var name in names) s.File("many/" + name, Encoding.UTF8.GetBytes(name + "\n"));
        return s;
    }

    public SquashfsEntry? Find(string path) => Entries.FirstOrDefault(e => e.Path == path);

    /// <summary>Storable attributes only: the writer drops the rest.</summary>
    public static SortedDictionary<string, string> Storable(IReadOnlyList<KeyValuePair<string, byte[]>>? xattrs) =>
        new((xattrs ?? Array.Empty<KeyValuePair<string, byte[]>>())
            .Where(x => x.Key.StartsWith("user.") || x.Key.StartsWith("trusted.") || x.Key.StartsWith("security."))
            .ToDictionary(x => x.Key, x => Convert.ToHexString(x.Value)), StringComparer.Ordinal);

    public static string Hash(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    private void Dir(string path, int mode, long uid = 0, long gid = 0, Dictionary<string, byte[]>? xattrs = null) =>
        Entries.Add(new SquashfsEntry(path, SquashfsEntryType.Directory) { Mode = mode, Uid = uid, Gid = gid, ModificationTime = Time - 1, Xattrs = xattrs?.ToList() });

    private void File(string path, byte[] content, int mode = 0x1A4, long uid = 0, long gid = 0, Dictionary<string, byte[]>? xattrs = null, bool hashed = false)
    {
        Contents[path] = content;
        Entries.Add(new SquashfsEntry(path, SquashfsEntryType.File)
        {
            Mode = mode, Uid = uid, Gid = gid, ModificationTime = Time, Size = content.Length,
            OpenContent = () => new MemoryStream(content, writable: false),
            ContentHash = hashed ? System.Security.Cryptography.SHA256.HashData(content) : null,
            // A system.* attribute is not stored (SquashFS has no such namespace): the caller narrows ACLs first.
            Xattrs = xattrs?.Append(new("system.posix_acl_access", new byte[] { 2, 0, 0, 0 })).ToList(),
        });
    }

    private void Special(string path, SquashfsEntryType type, int major = 0, int minor = 0) =>
        Entries.Add(new SquashfsEntry(path, type) { Mode = 0x1B0, Uid = 0, Gid = 6, ModificationTime = Time + 1, DeviceMajor = major, DeviceMinor = minor });

    private static byte[] Random(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Text(Random random, int length)
    {
        string[] words = { "module", "load", "gcc", "openmpi", "cuda", "lib", "export", "PATH", "prepend", "the", "of", "site" };
        var text = new StringBuilder(length + 16);
        while (text.Length < length) text.Append(words[random.Next(words.Length)]).Append(random.Next(8) == 0 ? '\n' : ' ');
        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }
}
