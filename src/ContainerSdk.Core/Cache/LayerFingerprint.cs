using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using ContainerSdk.Core.Tar;
using ContainerSdk.Core.Inputs;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// A layer's cache key: SHA-256 over the format and tool version, the compression, and every planned entry
/// (its final header and its content hash). The headers already carry whatever a setting changes (target
/// path, owners, excludes, removals as whiteouts, ACL records, the epoch), so nothing that changes a
/// layer's bytes can leave its key unchanged. Content decides, never a modification time alone.
/// </summary>
public static class LayerFingerprint
{
    private const string FormatVersion = "csdk-layer-1";

    /// <summary>The engine's own identity: a changed engine may write other bytes, so its caches do not carry over.</summary>
    public static readonly string ToolVersion =
        $"{typeof(LayerFingerprint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion}+{typeof(LayerFingerprint).Assembly.ManifestModule.ModuleVersionId:N}";

    public static byte[] Compute(LayerCompression compression, IEnumerable<(TarHeader Header, byte[]? ContentHash)> entries)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var writer = new HashWriter(hash);
        writer.Write(FormatVersion);
        writer.Write(ToolVersion);
        writer.Write(compression.ToString());
        foreach (var (header, content) in entries) WriteEntry(writer, header, content);
        return hash.GetHashAndReset();
    }

    /// <summary>One entry's own digest (header and content): the journal compares these to say what changed.</summary>
    public static byte[] Entry(TarHeader header, byte[]? contentHash)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        WriteEntry(new HashWriter(hash), header, contentHash);
        return hash.GetHashAndReset();
    }

    private static void WriteEntry(HashWriter w, TarHeader h, byte[]? content)
    {
        w.Write(h.Name); w.Write((long)h.Type); w.Write(h.Mode); w.Write(h.Uid); w.Write(h.Gid); w.Write(h.Size);
        w.Write(h.ModificationTime); w.Write(h.LinkName); w.Write(h.DeviceMajor); w.Write(h.DeviceMinor);
        w.Write(h.UserName); w.Write(h.GroupName);
        w.Write(h.PaxRecords.Count);
        foreach (var (key, value) in h.PaxRecords) { w.Write(key); w.Write(value); }
        w.Write(content ?? Array.Empty<byte>());
    }

    /// <summary>Length-prefixed fields, so that no two different entries hash the same bytes.</summary>
    private readonly struct HashWriter(IncrementalHash hash)
    {
        public void Write(string s) => Write(Encoding.UTF8.GetBytes(s));
        public void Write(long v) => hash.AppendData(BitConverter.GetBytes(v));
        public void Write(byte[] bytes) { Write((long)bytes.Length); hash.AppendData(bytes); }
    }
}
