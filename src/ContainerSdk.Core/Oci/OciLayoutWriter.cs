using ContainerSdk.Core.IO;
using System.Text;

namespace ContainerSdk.Core.Oci;

/// <summary>
/// Writes a directory in OCI image layout (oci-layout, blobs/sha256/&lt;hex&gt;, index.json). Every file goes to a temp
/// name in its folder and is renamed into place; <see cref="WriteIndex"/> comes last, so a build killed half-way
/// never leaves an index pointing at missing blobs. The layout belongs to the build: after the index is written,
/// blobs it no longer reaches (earlier builds' layers) and temp files are deleted.
/// </summary>
public sealed class OciLayoutWriter
{
    private const string LayoutFileContent = "{\"imageLayoutVersion\":\"1.0.0\"}";

    public OciLayoutWriter(string path)
    {
        LayoutPath = Path.GetFullPath(path);
        BlobDirectory = Path.Combine(LayoutPath, "blobs", "sha256");
        Directory.CreateDirectory(BlobDirectory);
        var layoutFile = Path.Combine(LayoutPath, "oci-layout");
        var content = Encoding.UTF8.GetBytes(LayoutFileContent);
        if (!File.Exists(layoutFile) || !File.ReadAllBytes(layoutFile).AsSpan().SequenceEqual(content))
            WriteAtomically(layoutFile, content);
    }

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
    /// system (no copy of gigabytes), copied otherwise. The digest is trusted; the size is checked.
    /// </summary>
    public void AddBlobFromFile(string path, Descriptor descriptor)
    {
        var source = new FileInfo(path);
        if (!source.Exists) throw new FileNotFoundException($"Blob {descriptor.Digest} is missing from the layer cache.", path);
        if (source.Length != descriptor.Size)
            throw new InvalidDataException($"Blob {path} is {source.Length} bytes, its descriptor says {descriptor.Size}: the layer cache is damaged.");
        var target = BlobPath(descriptor.Digest);
        // The layout's blob is the cache's file (one inode): nothing to do. Another file of the right size may be a
        // damaged one that the cache has since replaced (a flipped byte keeps the size): a link is cheap, so it is
        // linked again; only when the layout must hold copies (another file system) is a same-size copy kept.
        var existing = Cache.FileIdentity.Of(target);
        if (existing is { } e && Cache.FileIdentity.Of(source.FullName) is { } s && e.Device == s.Device && e.Inode == s.Inode) return;
        using var temp = new TempFile(target);
        if (!TryHardLink(source.FullName, temp.Path))
        {
            if (HasBlob(descriptor)) return;
            File.Copy(source.FullName, temp.Path);
        }
        temp.Commit();
    }

    /// <summary>Writes index.json, then deletes every blob and temp file the new index does not reach.</summary>
    public Descriptor WriteIndex(ImageIndex index)
    {
        var json = index.ToJson();
        WriteAtomically(Path.Combine(LayoutPath, "index.json"), json);
        CollectGarbage(index);
        return new Descriptor(index.MediaType, Digest.Compute(json), json.Length);
    }

    /// <summary>False when the file systems differ (EXDEV), links are not allowed, or there is no libc (Windows): the caller copies.</summary>
    private static bool TryHardLink(string existing, string link)
    {
        try { return Mono.Unix.Native.Syscall.link(existing, link) == 0; }
        catch (DllNotFoundException) { return false; }
        catch (EntryPointNotFoundException) { return false; }
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
        foreach (var file in Directory.EnumerateFiles(BlobDirectory))
            if (!reachable.Contains(Path.GetFileName(file))) TryDelete(file);
        foreach (var file in Directory.EnumerateFiles(LayoutPath))
            if (TempFiles.IsTemp(Path.GetFileName(file))) TryDelete(file);
    }

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

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
