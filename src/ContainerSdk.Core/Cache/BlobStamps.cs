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
/// the layout: <see cref="Linked"/> records the blob again, but only when it still had the recorded identity just
/// before the link and nothing but its ctime moved across it, so no change made by anyone else (through the layout's
/// name or the cache's) is ever vouched for. A build killed between the link and the record leaves the old record:
/// the next build hashes the blob once. Removing the layout's name (a deleted bin/) moves the ctime as well, and costs
/// the same one hash.
/// </remarks>
public sealed class BlobStamps(string directory)
{
    /// <summary>True when <paramref name="identity"/> (the blob's, just taken) is the one recorded for its bytes.</summary>
    public bool Vouches(string blobPath, FileIdentity identity) => Recorded(blobPath) == identity.Stamp;

    /// <summary>Records the blob's identity, taken before its bytes were written or hashed.</summary>
    public void Record(string blobPath, FileIdentity identity)
    {
        using var temp = new TempFile(PathOf(blobPath));
        File.WriteAllText(temp.Path, identity.Stamp + "\n");
        temp.Commit();
    }

    /// <summary>
    /// After this build gave the blob another name (a hard link, now committed): <paramref name="before"/> is its
    /// identity just before. Re-recorded only when that identity was vouched for and the blob is the same inode, size
    /// and mtime now.
    /// </summary>
    public void Linked(string blobPath, FileIdentity before)
    {
        if (!Vouches(blobPath, before)) return;
        if (FileIdentity.Of(blobPath) is { } after && after.Device == before.Device && after.Inode == before.Inode
            && after.Size == before.Size && after.MTimeNs == before.MTimeNs)
            Record(blobPath, after);
    }

    private string? Recorded(string blobPath)
    {
        try { return File.ReadAllText(PathOf(blobPath)).TrimEnd('\n'); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private string PathOf(string blobPath) => Path.Combine(directory, Path.GetFileName(blobPath));
}
