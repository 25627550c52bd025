using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Tar;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Blobs;

namespace ContainerSdk.Core.Images;

/// <summary>
/// The files of an image on disk, whether it is a layout folder or an archive (oci-archive, docker-archive):
/// small documents (index, manifests, configs) are read whole, layer blobs are streamed.
/// </summary>
internal abstract class ImageFiles
{
    /// <summary>Largest JSON document read into memory: an index, manifest or config is a few KiB.</summary>
    public const int MaxDocumentSize = 16 * 1024 * 1024;

    protected ImageFiles(string itemSpec) => ItemSpec = itemSpec;

    public string ItemSpec { get; }

    public abstract bool Exists(string relative);
    public abstract long Length(string relative);
    public abstract Stream Open(string relative);

    /// <summary>The blob as a file of its own, when it is one (a layout folder): it can be linked, not copied.</summary>
    public abstract string? FilePath(string relative);

    public byte[] ReadDocument(string relative)
    {
        if (!Exists(relative))
            throw new ContainerSdkException(Codes.InvalidBaseImage, $"Image '{ItemSpec}' has no '{relative}'.");
        long length = Length(relative);
        if (length > MaxDocumentSize)
            throw new ContainerSdkException(Codes.InvalidBaseImage, $"'{relative}' of image '{ItemSpec}' is {length} bytes: too large for an image document.");
        using var stream = Open(relative);
        var buffer = new byte[length];
        stream.ReadExactly(buffer);
        return buffer;
    }

    /// <summary>The image is not what its format says: <paramref name="why"/>.</summary>
    public ContainerSdkException Invalid(string why) => new(Codes.InvalidBaseImage, $"Image '{ItemSpec}' is not a valid image: {why}.");

    public static string BlobPath(Oci.Digest digest) => $"blobs/{digest.Algorithm}/{digest.Hex}";
}

internal sealed class DirectoryImageFiles(string root, string itemSpec) : ImageFiles(itemSpec)
{
    private string Full(string relative)
    {
        // Paths come from the image's own documents: never let them leave the layout.
        var full = Path.GetFullPath(Path.Combine(root, relative));
        if (!full.StartsWith(Path.GetFullPath(root).TrimEnd('/') + "/", StringComparison.Ordinal))
            throw new ContainerSdkException(Codes.InvalidBaseImage, $"Image '{ItemSpec}' names '{relative}', outside its folder.");
        return full;
    }

    public override bool Exists(string relative) => File.Exists(Full(relative));
    public override long Length(string relative) => new FileInfo(Full(relative)).Length;
    public override Stream Open(string relative) => new FileStream(Full(relative), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
    public override string? FilePath(string relative) => Full(relative);
}

/// <summary>
/// An image archive read by offset: one pass over the tar headers records where each file's data is; a
/// compressed archive (docker save | gzip) is first decompressed to a spool file.
/// </summary>
internal sealed class TarImageFiles : ImageFiles
{
    private readonly string _tarPath;
    private readonly Dictionary<string, (long Offset, long Size)> _files = new(StringComparer.Ordinal);

    public TarImageFiles(string archive, string itemSpec, string spoolDirectory) : base(itemSpec)
    {
        _tarPath = Decompression.ToPlainFile(archive, spoolDirectory);
        var links = new List<(string Name, string Target)>();
        using (var stream = new FileStream(_tarPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
        using (var reader = new TarReader(stream, itemSpec))
        {
            while (reader.Next() is { } header)
            {
                string name = TarPath.Normalize(header.Name);
                if (header.Type == TarEntryType.Regular) _files[name] = (reader.DataOffset, header.Size);
                else if (header.Type == TarEntryType.HardLink) links.Add((name, TarPath.Normalize(header.LinkName)));
                else if (header.Type == TarEntryType.SymbolicLink) links.Add((name, Resolve(TarPath.Parent(name) ?? "", header.LinkName)));
            }
        }
        // docker save links a layer.tar that two images share to the first copy.
        for (int pass = 0; pass < 4; pass++)
            foreach (var (name, target) in links)
                if (!_files.ContainsKey(name) && _files.TryGetValue(target, out var at)) _files[name] = at;
    }

    /// <summary>A symbolic link's target, relative to the link's folder, as an archive path ("../b/layer.tar" from "a").</summary>
    private static string Resolve(string folder, string target)
    {
        var parts = target.StartsWith('/') ? new List<string>() : folder.Split('/', StringSplitOptions.RemoveEmptyEntries).ToList();
        foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    public IEnumerable<string> Names => _files.Keys;

    public override bool Exists(string relative) => _files.ContainsKey(TarPath.Normalize(relative));
    public override long Length(string relative) => _files[TarPath.Normalize(relative)].Size;
    public override string? FilePath(string relative) => null;

    public override Stream Open(string relative)
    {
        var (offset, size) = _files[TarPath.Normalize(relative)];
        var file = new FileStream(_tarPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        file.Seek(offset, SeekOrigin.Begin);
        return new SliceStream(file, size);
    }
}
