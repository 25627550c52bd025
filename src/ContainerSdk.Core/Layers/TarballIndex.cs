using System.Text;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// The entries of a tarball as its reader gave them (header, data offset in the decompressed tar, whether
/// the name was absolute), cached by the tarball's content hash. A build whose tarball did not change
/// plans from the index and decompresses nothing; the bytes are spooled only if a layer must be written.
/// </summary>
internal static class TarballIndex
{
    private const string Magic = "csdk-tarball-index-3";

    /// <param name="Inline">The content itself, for the account files that owner names resolve against: reading
    /// them must not cost a spool of the whole tarball.</param>
    public sealed record RawEntry(TarHeader Header, long DataOffset, bool WasAbsolute, byte[]? Inline = null);

    private static readonly HashSet<string> InlinedKeys = new(StringComparer.Ordinal) { "etc/passwd", "etc/group" };
    private const int MaxInline = 4 << 20;

    /// <summary>The tarball's entries, and whether it ended without its end-of-archive blocks (<see cref="TarReader.EndedWithoutTrailer"/>), kept in the index so that every build can say so.</summary>
    public static (IReadOnlyList<RawEntry> Entries, bool EndedWithoutTrailer) Get(LazySpool spool, string itemSpec, string indexDirectory, byte[] tarballHash)
    {
        string path = PathOf(indexDirectory, tarballHash);
        if (TryLoad(path) is { } cached) return cached;

        var entries = new List<RawEntry>();
        bool endedWithoutTrailer;
        using (var stream = new FileStream(spool.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
        using (var reader = new TarReader(stream, itemSpec))
        {
            while (reader.Next() is { } header)
            {
                byte[]? inline = null;
                if (header.Type == TarEntryType.Regular && header.Size <= MaxInline && InlinedKeys.Contains(TarPath.Key(header.Name)))
                {
                    inline = new byte[header.Size];
                    reader.Content.ReadExactly(inline);
                }
                entries.Add(new RawEntry(header, reader.DataOffset, reader.NameWasAbsolute, inline));
            }
            endedWithoutTrailer = reader.EndedWithoutTrailer;
        }
        Save(path, entries, endedWithoutTrailer);
        return (entries, endedWithoutTrailer);
    }

    private static string PathOf(string indexDirectory, byte[] tarballHash) => Path.Combine(indexDirectory, Convert.ToHexString(tarballHash).ToLowerInvariant() + ".idx");

    /// <summary>Where the index of the tarball (a base layer's uncompressed tar) with <paramref name="diffId"/> is kept.</summary>
    public static string PathOf(string indexDirectory, Oci.Digest diffId) => Path.Combine(indexDirectory, diffId.Hex + ".idx");

    /// <summary>Whether <paramref name="index"/> reads as a whole index of this format (one shared by another machine: checked before it is used in place of the blob).</summary>
    public static bool IsIndex(byte[] index)
    {
        using var stream = new MemoryStream(index, writable: false);
        return TryRead(stream) is not null;
    }

    /// <summary>Whether the file at <paramref name="path"/> is a readable index.</summary>
    public static bool IsIndexFile(string path) => TryLoad(path) is not null;

    /// <summary>Keeps an index shared by another machine (<see cref="IsIndex"/> first) where <see cref="Get"/> finds it.</summary>
    public static void Write(string path, byte[] index)
    {
        using var temp = new TempFile(path);
        temp.WriteAllBytes(index);
        temp.Commit();
    }

    private static (IReadOnlyList<RawEntry>, bool)? TryLoad(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            return TryRead(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static (IReadOnlyList<RawEntry>, bool)? TryRead(Stream stream)
    {
        try
        {
            using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            if (r.ReadString() != Magic) return null;
            bool endedWithoutTrailer = r.ReadBoolean();
            var entries = new RawEntry[r.ReadInt32()];
            for (int i = 0; i < entries.Length; i++)
            {
                var h = new TarHeader
                {
                    Name = r.ReadString(), Type = (TarEntryType)r.ReadByte(), Mode = r.ReadInt32(), Uid = r.ReadInt64(), Gid = r.ReadInt64(),
                    Size = r.ReadInt64(), ModificationTime = r.ReadInt64(), LinkName = r.ReadString(), DeviceMajor = r.ReadInt32(),
                    DeviceMinor = r.ReadInt32(), UserName = r.ReadString(), GroupName = r.ReadString(),
                };
                for (int n = r.ReadInt32(); n > 0; n--) h.PaxRecords[r.ReadString()] = r.ReadBytes(r.ReadInt32());
                long offset = r.ReadInt64();
                bool absolute = r.ReadBoolean();
                int inlineLength = r.ReadInt32();
                entries[i] = new RawEntry(h, offset, absolute, inlineLength < 0 ? null : r.ReadBytes(inlineLength));
            }
            return (entries, endedWithoutTrailer);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            return null; // missing or damaged: read the tarball again
        }
    }

    private static void Save(string path, List<RawEntry> entries, bool endedWithoutTrailer)
    {
        using var temp = new TempFile(path);
        using (var w = new BinaryWriter(temp.Create(), Encoding.UTF8))
        {
            w.Write(Magic);
            w.Write(endedWithoutTrailer);
            w.Write(entries.Count);
            foreach (var (h, offset, absolute, inline) in entries)
            {
                w.Write(h.Name); w.Write((byte)h.Type); w.Write(h.Mode); w.Write(h.Uid); w.Write(h.Gid); w.Write(h.Size);
                w.Write(h.ModificationTime); w.Write(h.LinkName); w.Write(h.DeviceMajor); w.Write(h.DeviceMinor);
                w.Write(h.UserName); w.Write(h.GroupName);
                w.Write(h.PaxRecordsRead.Count);
                foreach (var (key, value) in h.PaxRecordsRead) { w.Write(key); w.Write(value.Length); w.Write(value); }
                w.Write(offset); w.Write(absolute);
                w.Write(inline?.Length ?? -1);
                if (inline is not null) w.Write(inline);
            }
        }
        temp.Commit();
    }
}

/// <summary>
/// The decompressed tar behind a tarball input, made the first time something needs its bytes (a plain tar
/// is its own spool). Shared by every entry of the tarball; thread-safe, since layers are written concurrently.
/// </summary>
internal sealed class LazySpool(string tarball, string spoolDirectory)
{
    private readonly object _gate = new();
    private string? _path;

    public string Path
    {
        get { lock (_gate) return _path ??= TarballPlanner.Spool(tarball, spoolDirectory); }
    }
}
