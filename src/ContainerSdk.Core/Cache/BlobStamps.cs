using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// The identity (<see cref="FileIdentity.Stamp"/>) each blob of the work folder had when its bytes were last known to
/// be its digest's (written, or hashed again, by this engine), one small file per blob digest. While a blob keeps that
/// identity its bytes are trusted without reading them: anything that can change them (a write, a truncation, an mtime
/// set back) moves its mtime or ctime. The layer cache and the bundle's copies out of layer blobs both ask here.
/// </summary>
/// <remarks>
/// A hard link moves the ctime too (the link count is the inode's), and the image step hard-links every layer blob into
/// the layout: <see cref="Moved"/> records the blob again, but only when it still had the recorded identity just
/// before the link and nothing but its ctime moved across it, so no change made by anyone else (through the layout's
/// name or the cache's) is ever vouched for. A build killed between the link and the record leaves the old record:
/// the next build hashes the blob once. The layout's garbage collection removes its names of replaced layers the same
/// way; removing them otherwise (a deleted bin/) moves the ctime too, and costs the next build one hash of each blob.
/// </remarks>
internal sealed class BlobStamps(string directory)
{
    /// <summary>True when <paramref name="identity"/> (the blob's, just taken) is the one recorded for its bytes.</summary>
    public bool Vouches(string blobPath, FileIdentity identity) => Recorded(blobPath) == identity.Stamp;

    /// <summary>Records the blob's identity, taken before its bytes were written or hashed.</summary>
    public void Record(string blobPath, FileIdentity identity)
    {
        using var temp = new TempFile(PathOf(blobPath));
        temp.WriteAllText(identity.Stamp + "\n");
        temp.Commit();
    }

    /// <summary>
    /// After this build gave a blob another name or took one away (a hard link made or removed, now done): its identity
    /// was <paramref name="before"/> just before and is <paramref name="after"/> now; <paramref name="blobPath"/> is any
    /// of its names (they all end in its digest). Recorded again only when <paramref name="before"/> was vouched for and
    /// the blob is the same inode, size and mtime after.
    /// </summary>
    public void Moved(string blobPath, FileIdentity before, FileIdentity after)
    {
        if (after.Device == before.Device && after.Inode == before.Inode && after.Size == before.Size && after.MTimeNs == before.MTimeNs
            && Vouches(blobPath, before))
            Record(blobPath, after);
    }

    private string? Recorded(string blobPath)
    {
        try { return File.ReadAllText(PathOf(blobPath)).TrimEnd('\n'); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private string PathOf(string blobPath) => Path.Combine(directory, Path.GetFileName(blobPath));
}
