using System.Security.Cryptography;
using System.Text;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Tar;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Blobs;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// Plans a layer from a tarball (plain, gzip, bzip2 or zstd). A compressed tarball is first decompressed
/// to a spool file in the work folder, so that entries can be re-sorted and their data read later by
/// offset without holding any content in memory.
/// </summary>
internal static class TarballPlanner
{
    /// <param name="tarballHash">SHA-256 of the tarball file: with an entry's offset and size it identifies the entry's content without reading it.</param>
    /// <remarks>The spool and the tarball indexes (cached by content hash, see <see cref="TarballIndex"/>) live in the context's work folder.</remarks>
    public static List<PlannedEntry> Plan(PlanSource planned, byte[] tarballHash, BuildContext context)
    {
        var (tarball, itemSpec, rootKey, exclude) = (planned.Path, planned.ItemSpec, planned.RootKey, planned.Exclude);
        var (uid, gid, epoch, log, indexDirectory) = (planned.Uid, planned.Gid, planned.Epoch, context.Log, context.Paths.TarballIndexes);
        var source = new LazySpool(tarball, context.Paths.Spool);
        var byKey = new Dictionary<string, PlannedEntry>(StringComparer.Ordinal);
        var symlinkKeys = new HashSet<string>(StringComparer.Ordinal);

        {
            var (indexed, endedWithoutTrailer) = TarballIndex.Get(source, itemSpec, indexDirectory, tarballHash);
            if (endedWithoutTrailer && planned.ItemType is { } itemType)
                log.WarningAbout(itemType, itemSpec, Codes.TarballWithoutEnd,
                    $"'{itemSpec}' ends after {indexed.Count} entries without tar's end-of-archive blocks: it may have been cut short at an entry's boundary " +
                    "(an interrupted copy or download); the layer holds only those entries. Write it again with tar, or check its size.");
            foreach (var (raw, dataOffset, wasAbsolute, inline) in indexed)
            {
                var header = raw.Clone();
                string relative = TarPath.Key(header.Name);
                if (relative.Split('/').Any(part => part == ".."))
                    throw new ContainerSdkException(Codes.EntryEscapesRoot, $"Entry '{header.Name}' of '{itemSpec}' climbs out of the archive's root with '..'; the archive is refused.", tarball);
                if (relative.Length == 0 && header.Type == TarEntryType.Directory && rootKey.Length == 0) continue; // the image root itself ("/" in umoci's layers)
                if (wasAbsolute)
                    log.Warning(Codes.AbsolutePathNormalized, $"Entry '/{relative}' of '{itemSpec}' has an absolute path; it is stored relative to the module root as '{relative}'.", tarball);
                if (!exclude.IsEmpty && relative.Length > 0 && IsExcluded(relative, exclude)) continue;

                for (string? ancestor = TarPath.Parent(relative); ancestor is { Length: > 0 }; ancestor = TarPath.Parent(ancestor))
                    if (symlinkKeys.Contains(ancestor))
                        throw new ContainerSdkException(Codes.UnsafeLink, $"Entry '{header.Name}' of '{itemSpec}' would be written through '{ancestor}', a symbolic link the same archive planted; the archive is refused.", tarball);

                string key = TarPath.Join(rootKey, relative);
                header.Name = header.Type == TarEntryType.Directory ? key + "/" : key;
                header.ModificationTime = epoch;
                header.UserName = "";
                header.GroupName = "";
                if (uid is { } u) header.Uid = u;
                if (gid is { } g) header.Gid = g;

                ContentSource content = EmptyContent.Instance;
                if (header.Type == TarEntryType.Regular)
                    content = header.Size == 0 ? EmptyContent.Instance : inline is not null ? new BytesContent(inline) : new SliceContent(source, dataOffset, header.Size);
                else
                    header.Size = 0;

                if (header.Type == TarEntryType.HardLink)
                {
                    string target = TarPath.Join(rootKey, TarPath.Key(TarPath.Normalize(header.LinkName)));
                    if (!byKey.TryGetValue(target, out var targetEntry) || targetEntry.Header.Type is not (TarEntryType.Regular or TarEntryType.HardLink))
                        throw new ContainerSdkException(Codes.UnsafeLink, $"Entry '{relative}' of '{itemSpec}' is a hard link to '{header.LinkName}', which is not an earlier file of the same archive; the archive is refused.", tarball);
                    header.LinkName = target;
                }

                if (header.Type == TarEntryType.SymbolicLink) symlinkKeys.Add(relative); else symlinkKeys.Remove(relative);

                if (byKey.ContainsKey(key) && header.Type != TarEntryType.Directory)
                    log.Warning(Codes.DuplicateEntry, $"'{relative}' appears more than once in '{itemSpec}'; the last one is kept, as tar does.", tarball);
                byKey[key] = new PlannedEntry(header, content) { ContentHash = header.Size == 0 ? null : EntryIdentity(tarballHash, dataOffset, header.Size) };
            }
        }

        var entries = byKey.Values.ToList();
        entries.Sort((a, b) => TarPath.Comparer.Compare(a.Key, b.Key));
        ReanchorHardLinks(entries, byKey);
        return entries;
    }

    /// <summary>
    /// In an archive a hard link names an earlier entry; after sorting, a link may come first. The first of
    /// each group in layer order takes the content and the others link to it, so every layer stays
    /// extractable in order.
    /// </summary>
    private static void ReanchorHardLinks(List<PlannedEntry> sorted, Dictionary<string, PlannedEntry> byKey)
    {
        string Root(PlannedEntry e)
        {
            while (e.Header.Type == TarEntryType.HardLink && byKey.TryGetValue(e.Header.LinkName, out var t) && !ReferenceEquals(t, e)) e = t;
            return e.Key;
        }

        var anchorOfRoot = new Dictionary<string, PlannedEntry>(StringComparer.Ordinal);
        var links = sorted.Where(e => e.Header.Type == TarEntryType.HardLink).ToList();
        if (links.Count == 0) return;
        var rootOf = links.ToDictionary(e => e.Key, Root, StringComparer.Ordinal);
        var groupRoots = new HashSet<string>(rootOf.Values, StringComparer.Ordinal);

        foreach (var entry in sorted)
        {
            string root = entry.Header.Type == TarEntryType.HardLink ? rootOf[entry.Key] : entry.Key;
            if (!groupRoots.Contains(root)) continue;
            if (!anchorOfRoot.TryGetValue(root, out var anchor))
            {
                anchorOfRoot[root] = entry;
                if (entry.Header.Type == TarEntryType.HardLink)
                {
                    // This link comes first in layer order: it becomes the file, with the original's data and size.
                    var original = byKey[root];
                    entry.Header.Type = TarEntryType.Regular;
                    entry.Header.LinkName = "";
                    entry.Header.Size = original.Header.Size;
                    entry.Content = original.Content;
                    entry.ContentHash = original.ContentHash;
                }
                continue;
            }
            entry.Header.Type = TarEntryType.HardLink;
            entry.Header.LinkName = anchor.Key;
            entry.Header.Size = 0;
            entry.Content = EmptyContent.Instance;
            entry.ContentHash = null;
        }
    }

    private static byte[] EntryIdentity(byte[] tarballHash, long offset, long size)
    {
        var buffer = new byte[tarballHash.Length + 16];
        tarballHash.CopyTo(buffer, 0);
        BitConverter.TryWriteBytes(buffer.AsSpan(tarballHash.Length), offset);
        BitConverter.TryWriteBytes(buffer.AsSpan(tarballHash.Length + 8), size);
        return SHA256.HashData(buffer);
    }

    private static bool IsExcluded(string relative, PathGlob exclude)
    {
        for (string? k = relative; k is { Length: > 0 }; k = TarPath.Parent(k))
            if (exclude.Matches(k)) return true;
        return false;
    }

    /// <summary>A plain tar is read in place; a compressed one is decompressed once into the spool folder.</summary>
    internal static string Spool(string tarball, string spoolDirectory) => Decompression.ToPlainFile(tarball, spoolDirectory);
}
