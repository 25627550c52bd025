using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.IO;
using System.Text;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Outputs;

/// <summary>Where the files of an OCI layout go: a folder (<see cref="OciLayoutWriter"/>) or one tar (an oci-archive).</summary>
internal interface IOciLayoutTarget
{
    /// <summary>Stores one blob of <paramref name="image"/> as blobs/sha256/&lt;hex&gt;.</summary>
    void AddBlob(BuiltImage image, Descriptor blob);

    /// <summary>Writes index.json and, where the target has not written it first, oci-layout: the layout is complete.</summary>
    void Complete(ImageIndex index);
}

/// <summary>
/// The one writer of the OCI image layout. <see cref="Write"/> says what a layout of an image holds (every blob once, in
/// digest order, then the index), whether it goes to a folder or into an oci-archive's tar. As a folder (oci-layout,
/// blobs/sha256/&lt;hex&gt;, index.json), every file goes to a temp name in its folder and is renamed into place;
/// <see cref="WriteIndex"/> comes last, so a build killed half-way never leaves an index pointing at missing blobs. The
/// layout belongs to the build: after the index is written, blobs it no longer reaches (earlier builds' layers) and
/// temp files are deleted.
/// </summary>
internal sealed class OciLayoutWriter : IOciLayoutTarget
{
    /// <summary>Writes the layout of <paramref name="image"/>, named by <paramref name="index"/>, to <paramref name="target"/>.</summary>
    internal static void Write(BuiltImage image, ImageIndex index, IOciLayoutTarget target)
    {
        foreach (var blob in image.Blobs) target.AddBlob(image, blob);
        target.Complete(index);
    }

    /// <summary>A layer is linked from its file; a document (config, manifest) is written from its bytes.</summary>
    void IOciLayoutTarget.AddBlob(BuiltImage image, Descriptor blob)
    {
        if (image.BlobFile(blob.Digest) is { } file)
        {
            AddBlobFromFile(file, blob);
            return;
        }
        if (HasBlob(blob)) return;
        // Streamed, not read whole: an attached file (the ACL dump) may be large.
        using var stream = image.OpenBlob(blob.Digest);
        using var temp = new TempFile(BlobPath(blob.Digest));
        using (var target = new FileStream(temp.Path, FileMode.CreateNew, FileAccess.Write))
        {
            stream.CopyTo(target);
            target.Flush(flushToDisk: true);
        }
        temp.Commit();
    }

    /// <summary>oci-layout was written first, when the writer was made (a layout folder is known by it).</summary>
    void IOciLayoutTarget.Complete(ImageIndex index) => WriteIndex(index);

    /// <summary>The oci-layout file every layout (and oci-archive) holds.</summary>
    public static readonly byte[] LayoutFileContent = Encoding.UTF8.GetBytes("{\"imageLayoutVersion\":\"1.0.0\"}");

    /// <summary>
    /// The full layout path, when it may hold a layout this build writes: a missing or empty folder, or one that already
    /// holds an <c>oci-layout</c> (an earlier build's). Anything else (the file system root, a file, a folder of the
    /// user's) is a coded error: the layout's clean-up would otherwise delete what it did not write.
    /// </summary>
    public static string CheckLayoutPath(string path)
    {
        string full = Path.GetFullPath(path).TrimEnd('/');
        if (full.Length == 0 || Path.GetDirectoryName(full) is null)
            throw new ContainerSdkException(Codes.InvalidLayoutPath,
                $"ContainerImageLayoutPath '{path}' is the file system root: the image layout needs a folder of its own, such as bin/Debug/image.");
        if (File.Exists(full))
            throw new ContainerSdkException(Codes.InvalidLayoutPath, $"ContainerImageLayoutPath '{path}' is a file, not a folder for an image layout.");
        // A killed first build leaves at most temporary files: the oci-layout file is written before anything else.
        if (Directory.Exists(full) && !File.Exists(Path.Combine(full, "oci-layout"))
            && Directory.EnumerateFileSystemEntries(full).Any(e => !TempFiles.IsTemp(Path.GetFileName(e))))
            throw new ContainerSdkException(Codes.InvalidLayoutPath,
                $"ContainerImageLayoutPath '{path}' is a folder that holds other files and no OCI image layout: the build writes a layout only into a " +
                "missing or empty folder or over an earlier layout, so that it never deletes a file it did not write. Choose another folder.");
        return full;
    }

    /// <param name="stamps">The layer cache's record of its blobs: a hard link made or removed here moves a blob's ctime, and is recorded there.</param>
    public OciLayoutWriter(string path, BlobStamps? stamps = null)
    {
        _stamps = stamps;
        LayoutPath = CheckLayoutPath(path);
        BlobDirectory = Path.Combine(LayoutPath, "blobs", "sha256");
        var layoutFile = Path.Combine(LayoutPath, "oci-layout");
        if (!File.Exists(layoutFile) || !File.ReadAllBytes(layoutFile).AsSpan().SequenceEqual(LayoutFileContent))
            WriteAtomically(layoutFile, LayoutFileContent);
        Directory.CreateDirectory(BlobDirectory);
    }

    private readonly BlobStamps? _stamps;

    public string LayoutPath { get; }
    public string BlobDirectory { get; }

    public string BlobPath(Digest digest) => Path.Combine(BlobDirectory, digest.Hex);

    /// <summary>Stores <paramref name="content"/> (a config, a manifest) under its digest.</summary>
    public Descriptor AddBlob(byte[] content, string mediaType)
    {
        var descriptor = new Descriptor(mediaType, Digest.Compute(content), content.Length);
        if (!HasBlob(descriptor)) WriteAtomically(BlobPath(descriptor.Digest), content);
        return descriptor;
    }

    /// <summary>
    /// Stores a blob that already exists as a file (a cached layer): hard-linked when the layout is on the same file
    /// system (no copy of gigabytes), copied otherwise. The digest is trusted; the size is checked. The link moves the
    /// blob's ctime: the layer cache's <see cref="BlobStamps"/> record it again, so the next build still trusts it.
    /// </summary>
    public void AddBlobFromFile(string path, Descriptor descriptor)
    {
        var source = new FileInfo(path);
        // Damaged since the layers step checked it: the layer cache checks sizes, so the next build builds the layer again.
        if (!source.Exists || source.Length != descriptor.Size)
            throw new ContainerSdkException(Codes.CacheEntryRebuilt,
                $"The cached layer blob {path} ({descriptor.Digest}) is {(source.Exists ? $"{source.Length} bytes, expected {descriptor.Size}" : "missing")}: " +
                "the layer cache was damaged after the layers were built. Build again: the layer is built again.", path);
        var target = BlobPath(descriptor.Digest);
        // The layout's blob is the cache's file (one inode): nothing to do. Another file of the right size may be a
        // damaged one that the cache has since replaced (a flipped byte keeps the size): a link is cheap, so it is
        // linked again; only when the layout must hold copies (another file system) is a same-size copy kept.
        var existing = FileIdentity.Of(target);
        var before = FileIdentity.Of(source.FullName);
        if (existing is { } e && before is { } s && e.Device == s.Device && e.Inode == s.Inode) return;
        using var temp = new TempFile(target);
        bool linked = HardLink.TryCreate(source.FullName, temp.Path);
        if (!linked)
        {
            if (HasBlob(descriptor)) return;
            File.Copy(source.FullName, temp.Path);
        }
        temp.Commit();
        if (linked && before is { } identity && FileIdentity.Of(source.FullName) is { } after) _stamps?.Moved(source.FullName, identity, after);
    }

    /// <summary>Writes index.json, then deletes every blob and temp file the new index does not reach.</summary>
    public Descriptor WriteIndex(ImageIndex index)
    {
        var json = index.ToJson();
        WriteAtomically(Path.Combine(LayoutPath, "index.json"), json);
        CollectGarbage(index);
        return new Descriptor(index.MediaType, Digest.Compute(json), json.Length);
    }

    private bool HasBlob(Descriptor d)
    {
        var existing = new FileInfo(BlobPath(d.Digest));
        return existing.Exists && existing.Length == d.Size;
    }

    private void CollectGarbage(ImageIndex index)
    {
        var reachable = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in index.Manifests) Mark(d, reachable);
        // Only names this writer could have written (a sha256 digest, or its temporary files): never a file of anyone else.
        foreach (var file in Directory.EnumerateFiles(BlobDirectory))
        {
            var name = Path.GetFileName(file);
            if (TempFiles.IsTemp(name)) FileCleanup.TryDelete(file);
            else if (IsDigestName(name) && !reachable.Contains(name)) Unlink(file);
        }
        foreach (var file in Directory.EnumerateFiles(LayoutPath))
            if (TempFiles.IsTemp(Path.GetFileName(file))) FileCleanup.TryDelete(file);
    }

    /// <summary>
    /// Deletes a layout blob that may be a second name of a layer cache blob: the unlink moves that blob's ctime, which
    /// is recorded (seen through a handle kept open across it), so a layer built again from the cache is not read again.
    /// </summary>
    private void Unlink(string file)
    {
        if (_stamps is null) { FileCleanup.TryDelete(file); return; }
        try
        {
            using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read);
            var before = FileIdentity.Of(handle);
            if (FileCleanup.TryDelete(file) && before is { } identity && FileIdentity.Of(handle) is { } after) _stamps.Moved(file, identity, after);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            FileCleanup.TryDelete(file);
        }
    }

    private static bool IsDigestName(string name) => name.Length == 64 && name.AsSpan().IndexOfAnyExcept("0123456789abcdef") < 0;

    /// <summary>Marks a blob and, for manifests and nested indexes, what they reference.</summary>
    private void Mark(Descriptor d, HashSet<string> reachable)
    {
        if (!reachable.Add(d.Digest.Hex)) return;
        var path = BlobPath(d.Digest);
        switch (d.MediaType)
        {
            case MediaTypes.ImageManifest or MediaTypes.DockerManifest when File.Exists(path):
                var manifest = Manifest.Parse(File.ReadAllBytes(path));
                Mark(manifest.Config, reachable);
                foreach (var layer in manifest.Layers) Mark(layer, reachable);
                break;
            case MediaTypes.ImageIndex or MediaTypes.DockerManifestList when File.Exists(path):
                foreach (var m in ImageIndex.Parse(File.ReadAllBytes(path)).Manifests) Mark(m, reachable);
                break;
        }
    }

    private static void WriteAtomically(string path, byte[] content)
    {
        using var temp = new TempFile(path);
        using (var stream = new FileStream(temp.Path, FileMode.CreateNew, FileAccess.Write))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        temp.Commit();
    }

}
