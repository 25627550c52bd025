using System.Buffers;
using System.Globalization;
using System.Text;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Tar;

/// <summary>
/// Writes POSIX pax archives: plain ustar headers, preceded by a PAX extended header ('x') only for entries that
/// do not fit ustar (long or non-ASCII paths, big sizes/ids, xattrs, ACLs). The output depends only on the headers
/// and contents given: no pid, time or host goes into any byte (unlike System.Formats.Tar's PAX header names).
/// </summary>
internal sealed class TarWriter : IDisposable
{
    private const int CopyBufferSize = 256 * 1024;

    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly byte[] _block = new byte[UstarBlock.Size];
    private bool _finished;
    private bool _failed;
    private bool _disposed;

    public TarWriter(Stream output, bool leaveOpen = true)
    {
        _output = output ?? throw new ArgumentNullException(nameof(output));
        _leaveOpen = leaveOpen;
    }

    /// <summary>
    /// False for a piece of an archive that others continue (a bundle segment): Dispose then writes no end
    /// blocks. True by default, so a writer that is simply disposed leaves a complete archive.
    /// </summary>
    public bool EndArchiveOnDispose { get; init; } = true;

    /// <summary>Bytes written to the output so far (headers, contents, padding, end blocks).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>
    /// Writes one entry and exactly <see cref="TarHeader.Size"/> bytes of <paramref name="content"/>.
    /// A content stream that ends early or has more bytes than Size means the file changed while it was read.
    /// </summary>
    public void WriteEntry(TarHeader header, Stream? content = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished) throw new InvalidOperationException("The archive is finished; no entry can follow.");
        if (header.Size < 0) throw new ArgumentException($"Entry '{header.Name}' has a negative size.", nameof(header));
        if (header.Size > 0 && content is null) throw new ArgumentException($"Entry '{header.Name}' has {header.Size} bytes but no content stream.", nameof(content));

        try
        {
            var name = EntryName(header);
            var nameBytes = UstarBlock.Utf8(name);
            var linkBytes = UstarBlock.Utf8(header.LinkName);
            var unameBytes = UstarBlock.Utf8(header.UserName);
            var gnameBytes = UstarBlock.Utf8(header.GroupName);
            if (nameBytes.Length == 0) throw new ArgumentException("An entry needs a name.", nameof(header));
            if (name.Contains('\0') || header.LinkName.Contains('\0'))
                throw new ArgumentException($"Entry '{name.Replace('\0', '?')}' has a NUL in its name or link target.", nameof(header));

            var pax = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var (key, value) in header.PaxRecordsRead)
            {
                if (key.Length == 0 || key.Contains('=') || key.Contains('\0'))
                    throw new ArgumentException($"Entry '{name}' has an invalid PAX record key '{key}'.", nameof(header));
                pax[key] = value;
            }

            bool pathFits = UstarBlock.IsAscii(nameBytes) && TrySplitName(nameBytes, out _);
            if (!pathFits) pax["path"] = nameBytes;
            if (linkBytes.Length > UstarBlock.LinkNameLength || !UstarBlock.IsAscii(linkBytes)) pax["linkpath"] = linkBytes;
            if (unameBytes.Length > UstarBlock.UNameLength || !UstarBlock.IsAscii(unameBytes)) pax["uname"] = unameBytes;
            if (gnameBytes.Length > UstarBlock.GNameLength || !UstarBlock.IsAscii(gnameBytes)) pax["gname"] = gnameBytes;
            if (header.Size > UstarBlock.MaxOctal11) pax["size"] = Decimal(header.Size);
            if (header.Uid < 0 || header.Gid < 0) throw new ArgumentException($"Entry '{name}' has a negative uid or gid.", nameof(header));
            if (header.Uid > UstarBlock.MaxOctal7) pax["uid"] = Decimal(header.Uid);
            if (header.Gid > UstarBlock.MaxOctal7) pax["gid"] = Decimal(header.Gid);
            if (header.ModificationTime < 0 || header.ModificationTime > UstarBlock.MaxOctal11) pax["mtime"] = Decimal(header.ModificationTime);
            if (header.DeviceMajor < 0 || header.DeviceMajor > UstarBlock.MaxOctal7 || header.DeviceMinor < 0 || header.DeviceMinor > UstarBlock.MaxOctal7)
                throw new ArgumentException($"Entry '{name}' has device numbers out of range.", nameof(header));

            long ustarMtime = Math.Clamp(header.ModificationTime, 0, UstarBlock.MaxOctal11);
            if (pax.Count > 0) WritePaxHeader(nameBytes, ustarMtime, PaxRecordCodec.Encode(pax));

            FillUstar(
                name: pathFits ? nameBytes : UstarBlock.TruncateUtf8(nameBytes, UstarBlock.NameLength).ToArray(),
                splitName: pathFits,
                mode: header.Mode & 0xFFF,
                uid: header.Uid > UstarBlock.MaxOctal7 ? 0 : header.Uid,
                gid: header.Gid > UstarBlock.MaxOctal7 ? 0 : header.Gid,
                size: header.Size > UstarBlock.MaxOctal11 ? 0 : header.Size,
                mtime: ustarMtime,
                type: (byte)header.Type,
                linkName: UstarBlock.TruncateUtf8(linkBytes, UstarBlock.LinkNameLength),
                uname: UstarBlock.TruncateUtf8(unameBytes, UstarBlock.UNameLength),
                gname: UstarBlock.TruncateUtf8(gnameBytes, UstarBlock.GNameLength),
                devMajor: IsDevice(header.Type) ? header.DeviceMajor : 0,
                devMinor: IsDevice(header.Type) ? header.DeviceMinor : 0);
            Write(_block);

            if (header.Size > 0) CopyContent(name, content!, header.Size);
            WritePadding(header.Size);
        }
        catch
        {
            // The archive now ends mid-entry; Dispose must not append end blocks that would make it look complete.
            _failed = true;
            throw;
        }
    }

    /// <summary>Writes the two zero blocks that end an archive. Idempotent.</summary>
    public void Finish()
    {
        if (_finished) return;
        ObjectDisposedException.ThrowIf(_disposed, this);
        Array.Clear(_block);
        Write(_block);
        Write(_block);
        _output.Flush();
        _finished = true;
    }

    public void Dispose()
    {
        if (_disposed) return;
        try
        {
            if (!_failed && EndArchiveOnDispose) Finish();
        }
        finally
        {
            _disposed = true;
            if (!_leaveOpen) _output.Dispose();
        }
    }

    private static bool IsDevice(TarEntryType type) => type is TarEntryType.CharacterDevice or TarEntryType.BlockDevice;

    private static byte[] Decimal(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Directories are written with a trailing '/', as GNU tar does, even when the caller left it out.</summary>
    private static string EntryName(TarHeader header) =>
        header.Type == TarEntryType.Directory && !header.Name.EndsWith('/') ? header.Name + "/" : header.Name;

    /// <summary>
    /// Splits a name into ustar prefix and name at a '/', GNU tar's way: the longest prefix (up to 155 bytes) that
    /// leaves a non-empty name of at most 100 bytes. Returns the split position (-1: no prefix needed).
    /// </summary>
    private static bool TrySplitName(ReadOnlySpan<byte> name, out int split)
    {
        split = -1;
        if (name.Length <= UstarBlock.NameLength) return true;
        int limit = Math.Min(name.Length - 1, UstarBlock.PrefixLength + 1); // a directory's trailing '/' stays in the name part
        for (int i = limit - 1; i > 0; i--)
        {
            if (name[i] != '/') continue;
            if (name.Length - i - 1 > UstarBlock.NameLength) return false;
            if (i > UstarBlock.PrefixLength) continue;
            split = i;
            return true;
        }
        return false;
    }

    private void WritePaxHeader(byte[] entryName, long mtime, byte[] records)
    {
        // A fixed, readable name: tools that do not know PAX extract it as a plain file, so it must not depend on the pid.
        var baseName = BaseName(entryName);
        var paxName = Concat("PaxHeaders/"u8, UstarBlock.TruncateUtf8(baseName, UstarBlock.NameLength - "PaxHeaders/".Length));
        FillUstar(paxName, splitName: false, mode: 0x1A4, uid: 0, gid: 0, size: records.Length, mtime: mtime,
            type: (byte)'x', linkName: default, uname: default, gname: default, devMajor: 0, devMinor: 0);
        Write(_block);
        Write(records);
        WritePadding(records.Length);
    }

    private static ReadOnlySpan<byte> BaseName(ReadOnlySpan<byte> name)
    {
        if (name.Length > 1 && name[^1] == '/') name = name[..^1];
        int slash = name.LastIndexOf((byte)'/');
        return slash < 0 ? name : name[(slash + 1)..];
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var result = new byte[a.Length + b.Length];
        a.CopyTo(result);
        b.CopyTo(result.AsSpan(a.Length));
        return result;
    }

    private void FillUstar(ReadOnlySpan<byte> name, bool splitName, int mode, long uid, long gid, long size, long mtime, byte type,
        ReadOnlySpan<byte> linkName, ReadOnlySpan<byte> uname, ReadOnlySpan<byte> gname, int devMajor, int devMinor)
    {
        var b = _block.AsSpan();
        b.Clear();
        if (splitName && TrySplitName(name, out int split) && split >= 0)
        {
            UstarBlock.WriteBytes(b, UstarBlock.PrefixOffset, UstarBlock.PrefixLength, name[..split]);
            UstarBlock.WriteBytes(b, UstarBlock.NameOffset, UstarBlock.NameLength, name[(split + 1)..]);
        }
        else
        {
            UstarBlock.WriteBytes(b, UstarBlock.NameOffset, UstarBlock.NameLength, name);
        }
        UstarBlock.WriteOctal(b, UstarBlock.ModeOffset, UstarBlock.ModeLength, mode);
        UstarBlock.WriteOctal(b, UstarBlock.UidOffset, UstarBlock.UidLength, uid);
        UstarBlock.WriteOctal(b, UstarBlock.GidOffset, UstarBlock.GidLength, gid);
        UstarBlock.WriteOctal(b, UstarBlock.SizeOffset, UstarBlock.SizeLength, size);
        UstarBlock.WriteOctal(b, UstarBlock.MtimeOffset, UstarBlock.MtimeLength, mtime);
        b[UstarBlock.TypeOffset] = type;
        UstarBlock.WriteBytes(b, UstarBlock.LinkNameOffset, UstarBlock.LinkNameLength, linkName);
        UstarBlock.UstarMagic.CopyTo(b[UstarBlock.MagicOffset..]);
        UstarBlock.UstarVersion.CopyTo(b[UstarBlock.VersionOffset..]);
        UstarBlock.WriteBytes(b, UstarBlock.UNameOffset, UstarBlock.UNameLength, uname);
        UstarBlock.WriteBytes(b, UstarBlock.GNameOffset, UstarBlock.GNameLength, gname);
        // GNU tar in posix format writes zero device fields for every non-device entry; so do we.
        UstarBlock.WriteOctal(b, UstarBlock.DevMajorOffset, UstarBlock.DevMajorLength, devMajor);
        UstarBlock.WriteOctal(b, UstarBlock.DevMinorOffset, UstarBlock.DevMinorLength, devMinor);
        UstarBlock.WriteChecksum(b);
    }

    private void CopyContent(string name, Stream content, long size)
    {
        if (_output is IInPlaceSink sink)
        {
            // Read straight into the sink's buffer (a layer's gzip chunk): no copy through a buffer of ours.
            for (long remaining = size; remaining > 0;)
            {
                var target = sink.GetMemory();
                int read = content.Read(target.Span[..(int)Math.Min(target.Length, remaining)]);
                if (read <= 0) throw EndedEarly(name, size, remaining);
                sink.Advance(read);
                BytesWritten += read;
                remaining -= read;
            }
            Span<byte> probe = stackalloc byte[1];
            if (content.Read(probe) > 0) throw GrewLonger(name, size);
            return;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            long remaining = size;
            while (remaining > 0)
            {
                int read = content.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
                if (read <= 0) throw EndedEarly(name, size, remaining);
                Write(buffer.AsSpan(0, read));
                remaining -= read;
            }
            // One more byte tells a file that grew after it was listed.
            if (content.Read(buffer, 0, 1) > 0) throw GrewLonger(name, size);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ContainerSdkException EndedEarly(string name, long size, long remaining) =>
        new(Codes.FileChangedWhileReading,
            $"'{name}' changed while it was being read: it ended after {size - remaining} of the {size} bytes it had when listed.");

    private static ContainerSdkException GrewLonger(string name, long size) =>
        new(Codes.FileChangedWhileReading,
            $"'{name}' changed while it was being read: it has more than the {size} bytes it had when listed.");

    private void WritePadding(long size)
    {
        int pad = (int)((UstarBlock.Size - size % UstarBlock.Size) % UstarBlock.Size);
        if (pad == 0) return;
        Span<byte> zeros = stackalloc byte[UstarBlock.Size];
        zeros.Clear();
        Write(zeros[..pad]);
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        _output.Write(bytes);
        BytesWritten += bytes.Length;
    }
}
