using System.Text;
using ContainerSdk.Core.Cache;
using ContainerSdk.Core.IO;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Cache;

/// <summary>The stat cache's file: what one build records the next one reads back, and a file of another format is never misread.</summary>
public sealed class StatCacheTests
{
    // Identities well in the past: the cache never records a racily clean path (changed within the last 2 s).
    private static FileIdentity Old(ulong inode, long size = 10) => new(64769, inode, size, 1_600_000_000_000_000_000 + (long)inode, 1_600_000_000_000_000_500 + (long)inode);

    private static byte[] Hash(int seed) => Enumerable.Range(seed, 32).Select(i => (byte)i).ToArray();

    private static IReadOnlyDictionary<string, byte[]> Records(params (string Key, string Value)[] records) =>
        new SortedDictionary<string, byte[]>(records.ToDictionary(r => r.Key, r => Encoding.UTF8.GetBytes(r.Value)), StringComparer.Ordinal);

    private static IReadOnlyDictionary<string, byte[]> MustNotRead(string path) => throw new InvalidOperationException($"read {path} again");

    [Fact]
    public void Hashes_and_xattr_records_round_trip_through_the_file()
    {
        using var dir = new TempDir("statcache");
        var file = dir.Combine("statcache.bin");
        // Paths sharing long beginnings, one only a prefix of another, non-ASCII text (a surrogate pair at the point they part).
        var paths = new[] { "/m/tree/d000/f1.txt", "/m/tree/d000/f10.txt", "/m/tree/d000", "/m/tree/d001/caf\u00e9", "/m/tree/d001/\U0001F600a", "/m/tree/d001/\U0001F601b", "/n" };
        var withXattrs = Records(("SCHILY.xattr.user.k", "v"), ("SCHILY.acl.access", "user::rwx"));
        var cache = StatCache.Load(file);
        for (int i = 0; i < paths.Length; i++)
        {
            var records = i == 1 ? withXattrs : Records();
            Assert.Same(records, cache.Metadata(paths[i], Old((ulong)i), _ => records));
            if (i != 2) cache.Set(paths[i], Old((ulong)i), Hash(i), cache.NowNs());
        }
        // A file whose xattrs were read under another identity than its hash: both are kept as they were recorded.
        cache.Set(paths[0], Old(0, size: 11), Hash(100), cache.NowNs());
        cache.Save();

        var loaded = StatCache.Load(file);
        for (int i = 0; i < paths.Length; i++)
        {
            var expected = i == 1 ? withXattrs : Records();
            var records = loaded.Metadata(paths[i], Old((ulong)i), MustNotRead);
            Assert.Equal(expected.Keys, records.Keys);
            Assert.Equal(expected.Values, records.Values);
            if (i == 2) { Assert.False(loaded.TryGet(paths[i], Old((ulong)i), out _)); continue; }
            var identity = i == 0 ? Old(0, size: 11) : Old((ulong)i);
            Assert.True(loaded.TryGet(paths[i], identity, out var hash), paths[i]);
            Assert.Equal(i == 0 ? Hash(100) : Hash(i), hash);
        }
        Assert.False(loaded.TryGet(paths[1], Old(1, size: 99), out _)); // another identity is a miss
        Assert.Equal(paths.Length - 1, loaded.Hits);
    }

    [Fact]
    public void A_path_read_under_another_identity_is_read_again_and_a_racy_one_is_not_recorded()
    {
        using var dir = new TempDir("statcache");
        var file = dir.Combine("statcache.bin");
        var cache = StatCache.Load(file);
        cache.Metadata("/m/a", Old(1), _ => Records(("SCHILY.xattr.user.k", "1")));
        cache.Save();

        var loaded = StatCache.Load(file);
        int reads = 0;
        var changed = loaded.Metadata("/m/a", Old(2), _ => { reads++; return Records(("SCHILY.xattr.user.k", "2")); });
        Assert.Equal(1, reads);
        Assert.Equal("2", Encoding.UTF8.GetString(changed["SCHILY.xattr.user.k"]));
        var now = loaded.NowNs();
        var racy = new FileIdentity(1, 3, 1, now, now);
        loaded.Metadata("/m/b", racy, _ => Records());
        loaded.Set("/m/b", racy, Hash(3), now);
        loaded.Save();

        var again = StatCache.Load(file);
        Assert.Equal("2", Encoding.UTF8.GetString(again.Metadata("/m/a", Old(2), MustNotRead)["SCHILY.xattr.user.k"]));
        Assert.False(again.TryGet("/m/b", racy, out _));
        again.Metadata("/m/b", racy, _ => { reads++; return Records(); });
        Assert.Equal(2, reads);
    }

    [Fact]
    public void Racily_clean_is_measured_by_the_cache_s_own_clock()
    {
        using var dir = new TempDir("statcache");
        var file = dir.Combine("statcache.bin");
        var written = StatCache.Load(file).NowNs();
        var fresh = new FileIdentity(1, 4, 1, written, written);

        // Hashed at once: within the window, not recorded. Hashed once the window is past (by a clock ahead, not a wait): recorded.
        var now = StatCache.Load(file);
        now.Set("/m/c", fresh, Hash(4), now.NowNs());
        Assert.False(now.TryGet("/m/c", fresh, out _));
        var later = StatCache.Load(file, new ClockAhead(TimeSpan.FromSeconds(2.2)));
        later.Set("/m/c", fresh, Hash(4), later.NowNs());
        Assert.True(later.TryGet("/m/c", fresh, out var hash));
        Assert.Equal(Hash(4), hash);
        int reads = 0;
        later.Metadata("/m/d", fresh, _ => { reads++; return Records(); });
        later.Metadata("/m/d", fresh, _ => { reads++; return Records(); });
        Assert.Equal(1, reads);
    }

    /// <summary>The previous format (csdk-statcache-2: full paths, two tables) is another format: read as empty, never misread.</summary>
    [Fact]
    public void A_file_of_the_previous_format_is_read_as_empty()
    {
        using var dir = new TempDir("statcache");
        var file = dir.Combine("statcache.bin");
        using (var writer = new BinaryWriter(File.Create(file), Encoding.UTF8))
        {
            var id = Old(1);
            writer.Write("csdk-statcache-2");
            writer.Write(1);
            writer.Write("/m/a");
            writer.Write(id.Device); writer.Write(id.Inode); writer.Write(id.Size); writer.Write(id.MTimeNs); writer.Write(id.CTimeNs);
            writer.Write(Hash(1));
            writer.Write(1);
            writer.Write("/m/a");
            writer.Write(id.Device); writer.Write(id.Inode); writer.Write(id.Size); writer.Write(id.MTimeNs); writer.Write(id.CTimeNs);
            writer.Write(0);
        }
        var cache = StatCache.Load(file);
        Assert.False(cache.TryGet("/m/a", Old(1), out _));
        int reads = 0;
        cache.Metadata("/m/a", Old(1), _ => { reads++; return Records(); });
        Assert.Equal(1, reads);
    }
}
