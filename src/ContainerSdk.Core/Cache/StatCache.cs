using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// Maps a file path to the SHA-256 of its content, valid while the file's <see cref="FileIdentity"/> is
/// unchanged: a build with nothing changed stats every file and reads none. Like git's index, an entry
/// recorded while the file was "racily clean" (modified within the timestamp granularity of being hashed)
/// is never trusted, since a later write in the same tick would leave the identity unchanged.
/// It also keeps each walked path's xattr records (<see cref="Metadata"/>): setting an xattr or an ACL moves the
/// ctime, so while the identity holds they are the ones read before, and a build with nothing changed makes one
/// lstat per path and no xattr call.
/// </summary>
public sealed class StatCache
{
    private const string Magic = "csdk-statcache-2";
    private static readonly long RacyWindowNs = 2_000_000_000;
    private static readonly IReadOnlyDictionary<string, byte[]> NoRecords = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);

    private readonly string _path;
    private readonly Dictionary<string, (FileIdentity Id, byte[] Hash)> _entries;
    private readonly Dictionary<string, (FileIdentity Id, IReadOnlyDictionary<string, byte[]> Records, bool Used)> _metadata;
    private int _usedMetadata;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private bool _dirty;

    private StatCache(string path, Dictionary<string, (FileIdentity, byte[])> entries, Dictionary<string, (FileIdentity, IReadOnlyDictionary<string, byte[]>, bool)> metadata)
    {
        _path = path;
        _entries = entries;
        _metadata = metadata;
    }

    public int Hits { get; private set; }
    public int Misses { get; private set; }

    /// <summary>Loads the cache; a missing, truncated or foreign file gives an empty cache (everything is hashed again).</summary>
    public static StatCache Load(string path)
    {
        var entries = new Dictionary<string, (FileIdentity, byte[])>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, (FileIdentity, IReadOnlyDictionary<string, byte[]>, bool)>(StringComparer.Ordinal);
        try
        {
            using var reader = new BinaryReader(new BufferedStream(File.OpenRead(path), 1 << 16), Encoding.UTF8);
            if (reader.ReadString() != Magic) return new StatCache(path, entries, metadata);
            int count = reader.ReadInt32();
            for (int i = 0; i < count; i++)
            {
                string file = reader.ReadString();
                entries[file] = (ReadIdentity(reader), reader.ReadBytes(32));
            }
            count = reader.ReadInt32();
            for (int i = 0; i < count; i++)
            {
                string file = reader.ReadString();
                var id = ReadIdentity(reader);
                int records = reader.ReadInt32();
                if (records == 0) { metadata[file] = (id, NoRecords, false); continue; }
                var read = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
                for (int r = 0; r < records; r++) read[reader.ReadString()] = reader.ReadBytes(reader.ReadInt32());
                metadata[file] = (id, read, false);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EndOfStreamException or FormatException or ArgumentException)
        {
            entries.Clear();
            metadata.Clear();
        }
        return new StatCache(path, entries, metadata);
    }

    private static FileIdentity ReadIdentity(BinaryReader reader) =>
        new(reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());

    private static void WriteIdentity(BinaryWriter writer, FileIdentity id)
    {
        writer.Write(id.Device); writer.Write(id.Inode); writer.Write(id.Size); writer.Write(id.MTimeNs); writer.Write(id.CTimeNs);
    }

    /// <summary>
    /// The xattr records of <paramref name="path"/> (lstat'ed just before as <paramref name="identity"/>): the recorded
    /// ones while the identity is the same, else <paramref name="read"/>'s, recorded unless the path is racily clean.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]> Metadata(string path, FileIdentity identity, Func<string, IReadOnlyDictionary<string, byte[]>> read)
    {
        lock (_metadata)
        {
            // One lookup: the record is marked used in place.
            ref var known = ref CollectionsMarshal.GetValueRefOrNullRef(_metadata, path);
            if (!Unsafe.IsNullRef(ref known) && known.Id == identity)
            {
                if (!known.Used) { known.Used = true; _usedMetadata++; }
                return known.Records;
            }
        }
        long started = NowNs();
        var records = read(path);
        if (IsRacy(identity, started)) return records;
        lock (_metadata)
        {
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_metadata, path, out bool existed);
            if (!existed || !slot.Used) _usedMetadata++;
            slot = (identity, records.Count == 0 ? NoRecords : records, true);
            _dirty = true;
        }
        return records;
    }

    private static bool IsRacy(FileIdentity identity, long startedUtcNs) =>
        identity.MTimeNs > startedUtcNs - RacyWindowNs || identity.CTimeNs > startedUtcNs - RacyWindowNs;

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
        if (IsRacy(identity, hashStartedUtcNs)) return; // racily clean
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
        lock (_metadata)
        {
            if (!_dirty && _used.Count == _entries.Count && _usedMetadata == _metadata.Count) return;
            using var temp = new TempFile(_path);
            using (var writer = new BinaryWriter(new BufferedStream(File.Create(temp.Path), 1 << 16), Encoding.UTF8))
            {
                var kept = _entries.Where(e => _used.Contains(e.Key)).ToList();
                writer.Write(Magic);
                writer.Write(kept.Count);
                foreach (var (file, (id, hash)) in kept)
                {
                    writer.Write(file);
                    WriteIdentity(writer, id);
                    writer.Write(hash);
                }
                var keptMetadata = _metadata.Where(e => e.Value.Used).ToList();
                writer.Write(keptMetadata.Count);
                foreach (var (file, (id, records, _)) in keptMetadata)
                {
                    writer.Write(file);
                    WriteIdentity(writer, id);
                    writer.Write(records.Count);
                    foreach (var (key, value) in records) { writer.Write(key); writer.Write(value.Length); writer.Write(value); }
                }
            }
            temp.Commit();
            _dirty = false;
        }
    }
}
