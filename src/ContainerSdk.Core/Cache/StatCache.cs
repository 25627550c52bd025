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
/// <remarks>
/// The file lists each path once, in ordinal order, as the length it shares with the path before it and the rest
/// (as git's index v4 does): paths of one module share most of their text, and loading makes one string per path.
/// </remarks>
internal sealed class StatCache
{
    private const string Magic = "csdk-statcache-3";
    private const int HashLength = 32;
    private const int MaxPathBytes = 1 << 16;
    private static readonly long RacyWindowNs = 2_000_000_000;
    private static readonly IReadOnlyDictionary<string, byte[]> NoRecords = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);

    [Flags]
    private enum Parts : byte { Hash = 1, Metadata = 2, OwnMetadataIdentity = 4 }

    /// <summary>What is known of one path: its content hash, its xattr records, or both, each with the identity it holds for.</summary>
    private sealed class Known
    {
        public FileIdentity HashId;
        public byte[]? Hash;
        public bool HashUsed;
        public FileIdentity MetadataId;
        public IReadOnlyDictionary<string, byte[]>? Records;
        public bool MetadataUsed;
    }

    private readonly string _path;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, Known> _known;
    private int _hashes, _usedHashes, _metadata, _usedMetadata;
    private bool _dirty;

    private StatCache(string path, TimeProvider clock, Dictionary<string, Known> known, bool read)
    {
        _path = path;
        _clock = clock;
        _known = known;
        _dirty = !read; // a missing, damaged or older file is replaced on the first save
        foreach (var k in known.Values)
        {
            if (k.Hash is not null) _hashes++;
            if (k.Records is not null) _metadata++;
        }
    }

    public int Hits { get; private set; }
    public int Misses { get; private set; }

    /// <summary>Loads the cache; a missing, truncated or foreign file (an older format too) gives an empty cache (everything is hashed again).</summary>
    /// <param name="clock">What "racily clean" is measured against (<see cref="NowNs"/>); the system's unless a test moves it.</param>
    public static StatCache Load(string path, TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        var known = new Dictionary<string, Known>(StringComparer.Ordinal);
        try
        {
            using var reader = new BinaryReader(new BufferedStream(File.OpenRead(path), 1 << 16), Encoding.UTF8);
            if (reader.ReadString() != Magic) return new StatCache(path, clock, known, read: false);
            int count = reader.ReadInt32();
            if (count < 0) throw new FormatException("negative count");
            known.EnsureCapacity(count);
            var bytes = new byte[256];
            var chars = new char[256];
            int previous = 0;
            for (int i = 0; i < count; i++)
            {
                int shared = reader.Read7BitEncodedInt(), rest = reader.Read7BitEncodedInt();
                if (shared < 0 || shared > previous || rest < 0 || rest > MaxPathBytes) throw new FormatException("bad path");
                if (bytes.Length < rest) Array.Resize(ref bytes, Math.Max(rest, bytes.Length * 2));
                reader.BaseStream.ReadExactly(bytes, 0, rest);
                if (chars.Length < shared + rest) Array.Resize(ref chars, Math.Max(shared + rest, chars.Length * 2));
                previous = shared + Encoding.UTF8.GetChars(bytes, 0, rest, chars, shared);
                var entry = new Known();
                var parts = (Parts)reader.ReadByte();
                if (parts.HasFlag(Parts.Hash))
                {
                    entry.HashId = ReadIdentity(reader);
                    entry.Hash = reader.ReadBytes(HashLength);
                }
                if (parts.HasFlag(Parts.Metadata))
                {
                    entry.MetadataId = parts.HasFlag(Parts.Hash) && !parts.HasFlag(Parts.OwnMetadataIdentity) ? entry.HashId : ReadIdentity(reader);
                    entry.Records = ReadRecords(reader);
                }
                known[new string(chars, 0, previous)] = entry;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EndOfStreamException or FormatException or ArgumentException)
        {
            known.Clear();
            return new StatCache(path, clock, known, read: false);
        }
        return new StatCache(path, clock, known, read: true);
    }

    private static IReadOnlyDictionary<string, byte[]> ReadRecords(BinaryReader reader)
    {
        int records = reader.ReadInt32();
        if (records == 0) return NoRecords;
        if (records < 0) throw new FormatException("negative count");
        var read = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        for (int r = 0; r < records; r++) read[reader.ReadString()] = reader.ReadBytes(reader.ReadInt32());
        return read;
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
        lock (_known)
        {
            if (_known.TryGetValue(path, out var known) && known.Records is { } recorded && known.MetadataId == identity)
            {
                if (!known.MetadataUsed) { known.MetadataUsed = true; _usedMetadata++; }
                return recorded;
            }
        }
        long started = NowNs();
        var records = read(path);
        if (IsRacy(identity, started)) return records;
        lock (_known)
        {
            var known = Entry(path);
            if (known.Records is null) _metadata++;
            if (!known.MetadataUsed) { known.MetadataUsed = true; _usedMetadata++; }
            known.MetadataId = identity;
            known.Records = records.Count == 0 ? NoRecords : records;
            _dirty = true;
        }
        return records;
    }

    private Known Entry(string path)
    {
        if (!_known.TryGetValue(path, out var known)) _known[path] = known = new Known();
        return known;
    }

    private static bool IsRacy(FileIdentity identity, long startedUtcNs) =>
        identity.MTimeNs > startedUtcNs - RacyWindowNs || identity.CTimeNs > startedUtcNs - RacyWindowNs;

    public bool TryGet(string path, FileIdentity identity, out byte[] hash)
    {
        lock (_known)
        {
            if (_known.TryGetValue(path, out var known) && known.Hash is { } recorded)
            {
                if (!known.HashUsed) { known.HashUsed = true; _usedHashes++; }
                if (known.HashId == identity && recorded.Length == HashLength)
                {
                    Hits++;
                    hash = recorded;
                    return true;
                }
            }
            Misses++;
            hash = Array.Empty<byte>();
            return false;
        }
    }

    /// <param name="hashStartedUtcNs">This cache's clock (<see cref="NowNs"/>) when reading the content began.</param>
    public void Set(string path, FileIdentity identity, byte[] hash, long hashStartedUtcNs)
    {
        if (IsRacy(identity, hashStartedUtcNs) || hash.Length != HashLength) return; // racily clean
        lock (_known)
        {
            var known = Entry(path);
            if (known.Hash is null) _hashes++;
            if (!known.HashUsed) { known.HashUsed = true; _usedHashes++; }
            known.HashId = identity;
            known.Hash = hash;
            _dirty = true;
        }
    }

    /// <summary>This cache's wall clock in ns since the epoch: a hash's or xattr read's start, as <see cref="Set"/> is given it.</summary>
    public long NowNs() => (_clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;

    /// <summary>Writes the entries this build used (others belong to files that are gone or no longer inputs).</summary>
    public void Save()
    {
        lock (_known)
        {
            if (!_dirty && _usedHashes == _hashes && _usedMetadata == _metadata) return;
            var kept = _known.Where(k => (k.Value.Hash is not null && k.Value.HashUsed) || (k.Value.Records is not null && k.Value.MetadataUsed))
                .OrderBy(k => k.Key, StringComparer.Ordinal).ToList();
            using var temp = new TempFile(_path);
            using (var writer = new BinaryWriter(temp.Create(), Encoding.UTF8))
            {
                writer.Write(Magic);
                writer.Write(kept.Count);
                string previous = "";
                foreach (var (file, known) in kept)
                {
                    int shared = SharedLength(previous, file);
                    writer.Write7BitEncodedInt(shared);
                    writer.Write(file[shared..]);
                    previous = file;
                    bool hash = known.Hash is not null && known.HashUsed, metadata = known.Records is not null && known.MetadataUsed;
                    bool ownIdentity = metadata && (!hash || known.MetadataId != known.HashId);
                    writer.Write((byte)((hash ? Parts.Hash : 0) | (metadata ? Parts.Metadata : 0) | (hash && ownIdentity ? Parts.OwnMetadataIdentity : 0)));
                    if (hash)
                    {
                        WriteIdentity(writer, known.HashId);
                        writer.Write(known.Hash!);
                    }
                    if (!metadata) continue;
                    if (ownIdentity) WriteIdentity(writer, known.MetadataId);
                    writer.Write(known.Records!.Count);
                    foreach (var (key, value) in known.Records) { writer.Write(key); writer.Write(value.Length); writer.Write(value); }
                }
            }
            temp.Commit();
            _dirty = false;
        }
    }

    /// <summary>The text two paths begin with, never ending inside a surrogate pair (each part is written as UTF-8 on its own).</summary>
    private static int SharedLength(string a, string b)
    {
        int shared = a.AsSpan().CommonPrefixLength(b);
        if (shared > 0 && char.IsHighSurrogate(b[shared - 1])) shared--;
        return shared;
    }
}
