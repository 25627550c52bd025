using System.Globalization;
using System.Security.Cryptography;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Blobs;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// Built layers by fingerprint, as jib-core keeps them: a selector file (fingerprint to digest) beside the
/// blobs (by digest). A selector is written only after its blob is complete, both through a rename, so a
/// killed build never leaves a selector that points at half a blob. A blob is trusted when its size matches
/// and <see cref="BlobStamps"/> vouches for its identity; otherwise it is hashed again, and a wrong digest throws
/// both away so the layer is rebuilt.
/// </summary>
internal sealed class FolderLayerCache(WorkPaths paths) : ILayerCache
{
    private readonly string _selectors = paths.Selectors;
    private readonly BlobStamps _stamps = new(paths.BlobStamps);

    public string BlobDirectory { get; } = paths.Blobs;

    /// <summary>The cached blob for the key's fingerprint, or a miss with the reason it cannot be used.</summary>
    public LayerLookup TryGet(LayerKey key)
    {
        string selector = SelectorPath(key.Fingerprint);
        string[] lines;
        try { lines = File.ReadAllLines(selector); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return LayerLookup.Miss; }
        catch (IOException) { return new LayerLookup(null, "its cache record could not be read"); }

        if (lines.Length < 6 || lines[0] != Format || !Digest.TryParse(lines[1], out var digest) || !Digest.TryParse(lines[3], out var diffId)
            || !long.TryParse(lines[2], CultureInfo.InvariantCulture, out var size) || !long.TryParse(lines[5], CultureInfo.InvariantCulture, out var uncompressed))
        {
            FileCleanup.TryDelete(selector);
            return new LayerLookup(null, "its cache record was malformed");
        }

        string blobPath = Path.Combine(BlobDirectory, digest.Hex);
        var identity = FileIdentity.Of(blobPath);
        if (identity is null || identity.Value.Size != size)
        {
            FileCleanup.TryDelete(selector);
            if (identity is not null) FileCleanup.TryDelete(blobPath);
            return new LayerLookup(null, identity is null ? $"its cached blob {digest} is missing" : $"its cached blob {digest} has the wrong size ({identity.Value.Size} bytes, expected {size})");
        }

        bool hashed = false;
        if (!_stamps.Vouches(blobPath, identity.Value))
        {
            // Touched since its bytes were last checked: only its digest can vouch for it.
            using (var stream = File.OpenRead(blobPath))
            {
                if (Digest.FromSha256Bytes(SHA256.HashData(stream)) != digest)
                {
                    FileCleanup.TryDelete(selector);
                    FileCleanup.TryDelete(blobPath);
                    return new LayerLookup(null, $"its cached blob {digest} was corrupt (its content no longer has that digest)");
                }
            }
            _stamps.Record(blobPath, identity.Value);
            hashed = true;
        }
        return new LayerLookup(new LayerBlob(new Descriptor(lines[4], digest, size), diffId, uncompressed, blobPath) { HashedAgain = hashed });
    }

    /// <summary>
    /// A blob from elsewhere (a far cache's download) is linked or copied in first: a selector names only blobs of this
    /// folder. The shape is not kept: this folder's hits cost no download, so it has nothing to prefetch.
    /// </summary>
    public void Put(LayerKey key, LayerBlob blob)
    {
        string local = Path.Combine(BlobDirectory, blob.Descriptor.Digest.Hex);
        if (Path.GetFullPath(blob.BlobPath) != Path.GetFullPath(local))
        {
            using var temp = new TempFile(local);
            temp.LinkOrCopy(blob.BlobPath);
            temp.Commit();
            blob = blob with { BlobPath = local };
        }
        var identity = FileIdentity.Of(blob.BlobPath) ?? throw new IOException($"The layer blob '{blob.BlobPath}' vanished after it was written.");
        // The blob's identity first: a selector is never read without a blob whose bytes were vouched for.
        _stamps.Record(blob.BlobPath, identity);
        using var selector = new TempFile(SelectorPath(key.Fingerprint));
        selector.WriteAllLines(new[]
        {
            Format, blob.Descriptor.Digest.ToString(), blob.Descriptor.Size.ToString(CultureInfo.InvariantCulture), blob.DiffId.ToString(),
            blob.Descriptor.MediaType, blob.UncompressedSize.ToString(CultureInfo.InvariantCulture),
        });
        selector.Commit();
    }

    public bool Holds(Descriptor blob) =>
        FileIdentity.Of(Path.Combine(BlobDirectory, blob.Digest.Hex)) is { } identity && identity.Size == blob.Size;

    /// <summary>The selector's format: the blob's identity is no longer in it (<see cref="BlobStamps"/> keeps it, by digest).</summary>
    private const string Format = "v2";

    private string SelectorPath(byte[] fingerprint) => Path.Combine(_selectors, Convert.ToHexString(fingerprint).ToLowerInvariant());

}
