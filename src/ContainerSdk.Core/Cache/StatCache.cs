using System.Text;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// Maps a file path to the SHA-256 of its content, valid while the file's <see cref="FileIdentity"/> is
/// unchanged: a build with nothing changed stats every file and reads none. Like git's index, an entry
/// recorded while the file was "racily clean" (modified within the timestamp granularity of being hashed)
/// is never trusted, since a later write in the same tick would leave the identity unchanged.
/// </summary>
public sealed class StatCache
{
    private const string Magic = "csdk-statcache-1";
    private static readonly long RacyWindowNs = 2_000_000_000;

    private readonly string _path;
    private readonly Dictionary<string, (FileIdentity Id, byte[] Hash)> _entries;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private bool _dirty;

    private StatCache(string path, Dictionary<string, (FileIdentity, byte[])> entries)
    {
        _path = path;
        _entries = entries;
    }

    public int Hits { get; private set; }
    public int Misses { get; private set; }

    /// <summary>Loads the cache; a missing, truncated or foreign file gives an empty cache (everything is hashed again).</summary>
    public static StatCache Load(string path)
    {
        var entries = new Dictionary<string, (FileIdentity, byte[])>(StringComparer.Ordinal);
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
            if (reader.ReadString() != Magic) return new StatCache(path, new(StringComparer.Ordinal));
            int count = reader.ReadInt32();
            for (int i = 0; i < count; i++)
            {
                string file = reader.ReadString();
                var id = new FileIdentity(reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());
                entries[file] = (id, reader.ReadBytes(32));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EndOfStreamException or FormatException)
        {
            entries.Clear();
        }
        return new StatCache(path, entries);
    }

    public bool TryGet(string path, FileIdentity identity, out byte[] hash)
    {
        lock (_entries)
        {
            _used.Add(path);
            if (_entries.TryGetValue(path, out var entry) && entry.Id == identity && entry.Hash.Length == 32)
            {
                Hits++;
                hash = entry.Hash;
                return true;
            }
            Misses++;
            hash = Array.Empty<byte>();
            return false;
        }
    }

    /// <param name="hashStartedUtcNs">Wall clock when reading the content began.</param>
    public void Set(string path, FileIdentity identity, byte[] hash, long hashStartedUtcNs)
    {
        if (identity.MTimeNs > hashStartedUtcNs - RacyWindowNs || identity.CTimeNs > hashStartedUtcNs - RacyWindowNs) return; // racily clean
        lock (_entries)
        {
            _used.Add(path);
            _entries[path] = (identity, hash);
            _dirty = true;
        }
    }

    public static long NowNs() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

    /// <summary>Writes the entries this build used (others belong to files that are gone or no longer inputs).</summary>
    public void Save()
    {
        lock (_entries)
        {
            if (!_dirty && _used.Count == _entries.Count) return;
            using var temp = new TempFile(_path);
            using (var writer = new BinaryWriter(File.Create(temp.Path), Encoding.UTF8))
            {
                var kept = _entries.Where(e => _used.Contains(e.Key)).ToList();
                writer.Write(Magic);
                writer.Write(kept.Count);
                foreach (var (file, (id, hash)) in kept)
                {
                    writer.Write(file);
                    writer.Write(id.Device); writer.Write(id.Inode); writer.Write(id.Size); writer.Write(id.MTimeNs); writer.Write(id.CTimeNs);
                    writer.Write(hash);
                }
            }
            temp.Commit();
            _dirty = false;
        }
    }
}
