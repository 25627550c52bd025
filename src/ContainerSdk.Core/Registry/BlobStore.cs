using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Registry;

/// <summary>
/// A content-addressed folder of blobs (<c>blobs/sha256/&lt;hex&gt;</c>, as in an OCI layout) that pulled images land in.
/// A blob is written under a temporary name, hashed as it is written and renamed into place only when its digest and
/// size are right: whatever is there under a digest has that digest, so several builds (and machines on a shared
/// folder) can fill and read it at once.
/// </summary>
internal sealed class BlobStore
{
    public BlobStore(string root) => Root = Path.GetFullPath(root);

    public string Root { get; }

    public string PathOf(Digest digest) => Path.Combine(Root, "blobs", digest.Algorithm, digest.Hex);

    /// <summary>The blob's path when it is here at its full size (content was checked when it was written).</summary>
    public string? Find(Descriptor descriptor)
    {
        var path = PathOf(descriptor.Digest);
        var info = new FileInfo(path);
        return info.Exists && info.Length == descriptor.Size ? path : null;
    }

    /// <summary>Reads a small document back (a manifest kept for offline builds), checking its digest again: it is trusted whole.</summary>
    public byte[]? ReadDocument(Digest digest, long maxSize)
    {
        var info = new FileInfo(PathOf(digest));
        if (!info.Exists || info.Length > maxSize) return null;
        var bytes = File.ReadAllBytes(info.FullName);
        return Digest.Compute(bytes) == digest ? bytes : null;
    }

    public string WriteDocument(Digest digest, byte[] content)
    {
        var path = PathOf(digest);
        if (File.Exists(path)) return path;
        using var temp = new TempFile(path);
        temp.WriteAllBytes(content);
        temp.Commit();
        return path;
    }

    /// <summary>
    /// Writes a blob through <paramref name="fill"/>; the file appears under its digest only when what was written has it.
    /// A mismatch is <paramref name="mismatch"/>'s error, and nothing is kept.
    /// </summary>
    public async Task<string> WriteAsync(Descriptor descriptor, Func<Stream, Task> fill, Func<string, ContainerSdkException> mismatch)
    {
        var path = PathOf(descriptor.Digest);
        using var temp = new TempFile(path);
        await using (var file = new FileStream(temp.Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
        await using (var hashing = new HashingWriteStream(file))
        {
            await fill(hashing);
            if (hashing.BytesWritten != descriptor.Size)
                throw new IOException($"the blob ended after {hashing.BytesWritten} of its {descriptor.Size} bytes");
            if (hashing.GetDigest() != descriptor.Digest)
                throw mismatch($"its bytes have digest {hashing.GetDigest()}, not {descriptor.Digest}");
        }
        temp.Commit();
        return path;
    }
}
