using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using ContainerSdk.Core.Tar;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Blobs;

namespace ContainerSdk.Core.Cache;

/// <summary>
/// A layer's cache key: SHA-256 over the format and tool version, the compression, and every planned entry
/// (its final header and its content hash). The headers already carry whatever a setting changes (target
/// path, owners, excludes, removals as whiteouts, ACL records, the epoch), so nothing that changes a
/// layer's bytes can leave its key unchanged. Content decides, never a modification time alone.
/// </summary>
internal static class LayerFingerprint
{
    private const string FormatVersion = "csdk-layer-2";
    private const string ShapeFormatVersion = "csdk-layer-shape-2";

    /// <summary>The engine's own identity: a changed engine may write other bytes, so its caches do not carry over.</summary>
    public static readonly string ToolVersion =
        $"{typeof(LayerFingerprint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion}+{typeof(LayerFingerprint).Assembly.ManifestModule.ModuleVersionId:N}";

    /// <summary>A layer's key, built entry by entry in layer order (a no-op build computes it over every path of a module).</summary>
    public static Builder Begin(LayerCompression compression, LayerCompressionLevel level = LayerCompressionLevel.Default) => Begin(FormatVersion, compression, level);

    private static Builder Begin(string format, LayerCompression compression, LayerCompressionLevel level)
    {
        var builder = new Builder();
        builder.Writer.Write(format);
        builder.Writer.Write(ToolVersion);
        // The default level writes what it always wrote: its keys stay; another level is other bytes, so other keys.
        builder.Writer.Write(compression == LayerCompression.Gzip && level != LayerCompressionLevel.Default ? $"{compression} {level}" : compression.ToString());
        return builder;
    }

    /// <summary>
    /// A layer's shape: what its fingerprint covers but the files' contents (every header, the compression and the tool
    /// version), known once the layer is planned, before any file is read. It names the layer a tree with the same
    /// headers had last time, a likely guess for a far cache to start fetching while the contents are hashed; only the
    /// fingerprint decides what is used.
    /// </summary>
    public static byte[] Shape(IEnumerable<TarHeader> headers, LayerCompression compression, LayerCompressionLevel level = LayerCompressionLevel.Default)
    {
        using var builder = Begin(ShapeFormatVersion, compression, level);
        foreach (var header in headers) builder.AddHeader(header);
        return builder.Finish();
    }

    /// <summary>One entry's own digest (header and content): the journal compares these to say what changed.</summary>
    public static byte[] Entry(TarHeader header, byte[]? contentHash)
    {
        using var builder = new Builder();
        builder.Add(header, contentHash);
        return builder.Finish();
    }

    public sealed class Builder : IDisposable
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        internal HashWriter Writer { get; }

        internal Builder() => Writer = new HashWriter(_hash);

        public void Add(TarHeader h, byte[]? content)
        {
            AddHeader(h);
            Writer.Write(content ?? Array.Empty<byte>());
        }

        /// <summary>The header's fields alone: the shape's part of an entry.</summary>
        internal void AddHeader(TarHeader h)
        {
            var w = Writer;
            w.Write(h.Name); w.Write((long)h.Type); w.Write(h.Mode); w.Write(h.Uid); w.Write(h.Gid); w.Write(h.Size);
            w.Write(h.ModificationTime); w.Write(h.LinkName); w.Write(h.DeviceMajor); w.Write(h.DeviceMinor);
            w.Write(h.UserName); w.Write(h.GroupName);
            var pax = h.PaxRecordsRead;
            w.Write(pax.Count);
            foreach (var (key, value) in pax) { w.Write(key); w.Write(value); }
        }

        public byte[] Finish()
        {
            Writer.Flush();
            return _hash.GetHashAndReset();
        }

        public void Dispose() => _hash.Dispose();
    }

    /// <summary>
    /// Length-prefixed fields, so that no two different entries hash the same bytes. Fields are gathered in a buffer
    /// and hashed a buffer at a time: the same bytes as hashing each field, without a call and an array per field.
    /// </summary>
    internal sealed class HashWriter(IncrementalHash hash)
    {
        private readonly byte[] _buffer = new byte[8192];
        private int _used;

        public void Write(string s)
        {
            int length = Encoding.UTF8.GetByteCount(s);
            Write((long)length);
            if (length > _buffer.Length) { Flush(); hash.AppendData(Encoding.UTF8.GetBytes(s)); return; }
            Reserve(length);
            _used += Encoding.UTF8.GetBytes(s, _buffer.AsSpan(_used));
        }

        public void Write(long v)
        {
            Reserve(sizeof(long));
            BitConverter.TryWriteBytes(_buffer.AsSpan(_used), v);
            _used += sizeof(long);
        }

        public void Write(byte[] bytes)
        {
            Write((long)bytes.Length);
            if (bytes.Length > _buffer.Length) { Flush(); hash.AppendData(bytes); return; }
            Reserve(bytes.Length);
            bytes.CopyTo(_buffer, _used);
            _used += bytes.Length;
        }

        private void Reserve(int length)
        {
            if (_used + length > _buffer.Length) Flush();
        }

        public void Flush()
        {
            if (_used == 0) return;
            hash.AppendData(_buffer, 0, _used);
            _used = 0;
        }
    }
}
