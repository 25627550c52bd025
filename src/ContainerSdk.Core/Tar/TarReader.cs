using System.Buffers;
using System.Globalization;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Tar;

/// <summary>
/// Reads ustar, POSIX pax, GNU and v7 archives one entry at a time from a forward-only stream, with memory bounded
/// by <see cref="MaxMetadataSize"/> whatever the archive claims. Any malformed input is reported as a
/// <see cref="ContainerSdkException"/> (<see cref="Codes.CorruptArchive"/>) naming the archive and the entry.
/// </summary>
/// <remarks>
/// PAX global headers ('g') apply their uid, gid, uname, gname and mtime to every following entry (POSIX); their other
/// keys (path, size...) make no sense for all entries and are ignored. Hard link targets are normalized like names;
/// symbolic link targets are kept exactly as written.
/// </remarks>
internal sealed class TarReader : IDisposable
{
    /// <summary>Cap on the data of PAX headers and GNU long names: never allocate what a header merely claims.</summary>
    public const int MaxMetadataSize = 1024 * 1024;

    private readonly Stream _input;
    private readonly string _archiveName;
    private readonly bool _leaveOpen;
    private readonly byte[] _block = new byte[UstarBlock.Size];
    private readonly Dictionary<string, byte[]> _globalRecords = new(StringComparer.Ordinal);
    private long _position;
    private long _remaining;   // unread bytes of the current entry's data
    private long _padding;     // padding after the current entry's data
    private bool _atEnd;
    private EntryContentStream? _content;
    private bool _disposed;

    public TarReader(Stream input, string archiveName, bool leaveOpen = true)
    {
        _input = input ?? throw new ArgumentNullException(nameof(input));
        _archiveName = archiveName;
        _leaveOpen = leaveOpen;
    }

    /// <summary>The entry <see cref="Next"/> returned last.</summary>
    public TarHeader? Current { get; private set; }

    /// <summary>True when the current entry's name started with '/' (stripped); the caller decides whether to warn.</summary>
    public bool NameWasAbsolute { get; private set; }

    /// <summary>Offset in the input of the current entry's first header block (its PAX or GNU long-name header, if any).</summary>
    public long EntryOffset { get; private set; }

    /// <summary>True once <see cref="Next"/> found the input's end where a header would start, with no end-of-archive (zero) block.</summary>
    public bool EndedWithoutTrailer { get; private set; }

    /// <summary>Offset in the input of the current entry's first data byte.</summary>
    public long DataOffset { get; private set; }

    /// <summary>The current entry's data: exactly <see cref="TarHeader.Size"/> bytes, read-only, forward-only.</summary>
    public Stream Content => _content ?? throw new InvalidOperationException("Call Next() first.");

    /// <summary>The next entry, or null at the end of the archive. Skips whatever is left of the previous entry's data.</summary>
    public TarHeader? Next()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_atEnd) return null;
        Skip(_remaining + _padding, Current?.Name);
        _remaining = _padding = 0;
        Current = null;
        _content = null;

        long entryOffset = _position;
        Dictionary<string, byte[]>? paxRecords = null;
        string? longName = null, longLink = null;

        while (true)
        {
            long blockOffset = _position;
            if (!ReadBlock(blockOffset == entryOffset && paxRecords is null && longName is null && longLink is null))
            {
                // The input ends where an entry's header would start, with no end-of-archive blocks: tar readers accept
                // it, yet it is what a copy or download cut short at an entry's boundary looks like.
                EndedWithoutTrailer = true;
                _atEnd = true;
                return null;
            }

            if (UstarBlock.IsAllZero(_block))
            {
                if (paxRecords is not null || longName is not null || longLink is not null)
                    throw Corrupt($"the archive ends after an extended header at offset {blockOffset}, without the entry it describes", RawName());
                // One zero block, then a second one or the end of the input, ends the archive.
                _atEnd = true;
                return null;
            }

            var (unsignedSum, signedSum) = UstarBlock.Checksums(_block);
            if (!UstarBlock.TryParseNumber(UstarBlock.Field(_block, UstarBlock.ChecksumOffset, UstarBlock.ChecksumLength), out long stored)
                || (stored != unsignedSum && stored != signedSum))
                throw Corrupt($"bad header checksum at offset {blockOffset} (not a tar archive, or damaged)", RawName());

            byte type = _block[UstarBlock.TypeOffset];
            long size = Number(UstarBlock.SizeOffset, UstarBlock.SizeLength, "size");
            if (size < 0) throw Corrupt($"negative size in the header at offset {blockOffset}", RawName());

            switch (type)
            {
                case (byte)'x':
                {
                    var data = ReadMetadata(size, "PAX header");
                    paxRecords ??= new(StringComparer.Ordinal);
                    foreach (var (key, value) in DecodePax(data)) paxRecords[key] = value;
                    continue;
                }
                case (byte)'g':
                {
                    var data = ReadMetadata(size, "PAX global header");
                    foreach (var (key, value) in DecodePax(data))
                        if (key is "uid" or "gid" or "uname" or "gname" or "mtime")
                        {
                            if (value.Length == 0) _globalRecords.Remove(key); else _globalRecords[key] = value;
                        }
                    continue;
                }
                case (byte)'L':
                    longName = MetadataString(ReadMetadata(size, "GNU long name"), "GNU long name");
                    continue;
                case (byte)'K':
                    longLink = MetadataString(ReadMetadata(size, "GNU long link"), "GNU long link");
                    continue;
            }

            var header = ParseHeader(type, size, blockOffset, paxRecords, longName, longLink);
            EntryOffset = entryOffset;
            DataOffset = _position;
            _remaining = header.Size;
            _padding = (UstarBlock.Size - header.Size % UstarBlock.Size) % UstarBlock.Size;
            Current = header;
            _content = new EntryContentStream(this);
            return header;
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_leaveOpen) _input.Dispose();
    }

    private TarHeader ParseHeader(byte type, long size, long blockOffset, Dictionary<string, byte[]>? pax, string? longName, string? longLink)
    {
        var block = _block.AsSpan();
        bool ustar = block.Slice(UstarBlock.MagicOffset, UstarBlock.MagicLength).SequenceEqual(UstarBlock.UstarMagic);

        string rawName;
        if (longName is not null) rawName = longName;
        else
        {
            var name = UstarBlock.Field(block, UstarBlock.NameOffset, UstarBlock.NameLength);
            // Only POSIX ustar has a prefix field; GNU headers keep atime/ctime there.
            var prefix = ustar ? UstarBlock.Field(block, UstarBlock.PrefixOffset, UstarBlock.PrefixLength) : default;
            rawName = prefix.IsEmpty ? FieldString(name, null) : FieldString(prefix, null) + "/" + FieldString(name, null);
        }

        var header = new TarHeader
        {
            Mode = (int)(Number(UstarBlock.ModeOffset, UstarBlock.ModeLength, "mode") & 0xFFF),
            Uid = Number(UstarBlock.UidOffset, UstarBlock.UidLength, "uid"),
            Gid = Number(UstarBlock.GidOffset, UstarBlock.GidLength, "gid"),
            Size = size,
            ModificationTime = Number(UstarBlock.MtimeOffset, UstarBlock.MtimeLength, "mtime"),
            LinkName = longLink ?? FieldString(UstarBlock.Field(block, UstarBlock.LinkNameOffset, UstarBlock.LinkNameLength), rawName),
            UserName = FieldString(UstarBlock.Field(block, UstarBlock.UNameOffset, UstarBlock.UNameLength), rawName),
            GroupName = FieldString(UstarBlock.Field(block, UstarBlock.GNameOffset, UstarBlock.GNameLength), rawName),
        };
        if (header.Uid < 0 || header.Gid < 0) throw Corrupt($"negative uid or gid in the header at offset {blockOffset}", rawName);
        if (ustar || block.Slice(UstarBlock.MagicOffset, 8).SequenceEqual(UstarBlock.GnuMagicAndVersion))
        {
            header.DeviceMajor = (int)Math.Clamp(Number(UstarBlock.DevMajorOffset, UstarBlock.DevMajorLength, "devmajor"), 0, int.MaxValue);
            header.DeviceMinor = (int)Math.Clamp(Number(UstarBlock.DevMinorOffset, UstarBlock.DevMinorLength, "devminor"), 0, int.MaxValue);
        }

        // Precedence, lowest first: ustar fields, PAX global records, GNU long name/link, PAX records.
        foreach (var (key, value) in _globalRecords) ApplyPax(header, key, value, ref rawName);
        if (pax is not null)
            foreach (var (key, value) in pax) ApplyPax(header, key, value, ref rawName);

        header.Type = type switch
        {
            (byte)'0' or 0 or (byte)'7' => TarEntryType.Regular,
            (byte)'1' => TarEntryType.HardLink,
            (byte)'2' => TarEntryType.SymbolicLink,
            (byte)'3' => TarEntryType.CharacterDevice,
            (byte)'4' => TarEntryType.BlockDevice,
            (byte)'5' => TarEntryType.Directory,
            (byte)'6' => TarEntryType.Fifo,
            (byte)'S' => throw Unsupported("sparse entries are not supported", rawName),
            _ => throw Unsupported($"entry type '{(type is >= 0x20 and < 0x7F ? ((char)type).ToString() : $"\\x{type:X2}")}' is not supported", rawName),
        };
        // v7 archives mark directories only by the trailing '/' of a '\0'-typed entry.
        if (type == 0 && rawName.EndsWith('/')) header.Type = TarEntryType.Directory;

        NameWasAbsolute = rawName.StartsWith('/');
        header.Name = NormalizeName(rawName, header.Type == TarEntryType.Directory);
        if (header.Type == TarEntryType.HardLink) header.LinkName = TarPath.Normalize(header.LinkName);
        return header;
    }

    private static string NormalizeName(string raw, bool directory)
    {
        var name = TarPath.Normalize(raw);
        return directory && name.Length > 0 ? name + "/" : name;
    }

    private void ApplyPax(TarHeader header, string key, byte[] value, ref string rawName)
    {
        switch (key)
        {
            case "path": rawName = PaxString(value, rawName, key); break;
            case "linkpath": header.LinkName = PaxString(value, rawName, key); break;
            case "uname": header.UserName = PaxString(value, rawName, key); break;
            case "gname": header.GroupName = PaxString(value, rawName, key); break;
            case "size": header.Size = PaxInteger(value, rawName, key); break;
            case "uid": header.Uid = PaxInteger(value, rawName, key); break;
            case "gid": header.Gid = PaxInteger(value, rawName, key); break;
            case "mtime": header.ModificationTime = PaxSeconds(value, rawName); break;
            default:
                if (key.StartsWith("GNU.sparse.", StringComparison.Ordinal))
                    throw Unsupported("sparse entries are not supported", rawName);
                if (key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal) || key.StartsWith("SCHILY.acl.", StringComparison.Ordinal))
                    header.PaxRecords[key] = value;
                // Everything else (atime, ctime, comment, charset...) has no place in a layer.
                break;
        }
    }

    private string PaxString(byte[] value, string entry, string key)
    {
        if (Array.IndexOf(value, (byte)0) >= 0) throw Corrupt($"PAX record '{key}' contains a NUL byte", entry);
        if (!UstarBlock.TryDecodeUtf8(value, out var text))
            throw Corrupt(key == "path" ? "entry name is not valid UTF-8" : $"PAX record '{key}' is not valid UTF-8", entry);
        return text;
    }

    private long PaxInteger(byte[] value, string entry, string key)
    {
        long result = 0;
        bool valid = value.Length is > 0 and <= 18;
        foreach (byte b in value)
        {
            if (b is < (byte)'0' or > (byte)'9') { valid = false; break; }
            result = result * 10 + (b - '0');
        }
        if (!valid) throw Corrupt($"PAX record '{key}' is not a non-negative integer", entry);
        return result;
    }

    /// <summary>PAX times may carry a fraction ("1700000000.123456789"); layers keep whole seconds (rounded down).</summary>
    private long PaxSeconds(byte[] value, string entry)
    {
        var text = new string(value.Select(b => (char)b).ToArray());
        int dot = text.IndexOf('.');
        var whole = dot < 0 ? text : text[..dot];
        var fraction = dot < 0 ? "" : text[(dot + 1)..];
        if (!long.TryParse(whole, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seconds)
            || whole.Length == 0 || whole.StartsWith('+') || !fraction.All(char.IsAsciiDigit))
            throw Corrupt("PAX record 'mtime' is not a number of seconds", entry);
        if (whole.StartsWith('-') && fraction.Any(c => c != '0')) seconds--;
        return seconds;
    }

    private List<KeyValuePair<string, byte[]>> DecodePax(byte[] data)
    {
        var records = new List<KeyValuePair<string, byte[]>>();
        var error = PaxRecordCodec.TryDecode(data, records);
        if (error is not null) throw Corrupt(error, RawName());
        return records;
    }

    /// <summary>
    /// GNU long names are NUL-terminated in their data. Anything but NULs after the first one is a name with a NUL
    /// inside ("safe\0../../evil"): readers disagree on where such a name ends, so it is refused.
    /// </summary>
    private string MetadataString(byte[] data, string what)
    {
        int nul = Array.IndexOf(data, (byte)0);
        if (nul >= 0 && !UstarBlock.IsAllZero(data.AsSpan(nul)))
            throw Corrupt($"the {what} contains a NUL byte before its end", System.Text.Encoding.UTF8.GetString(data, 0, nul));
        var span = nul < 0 ? data.AsSpan() : data.AsSpan(0, nul);
        if (!UstarBlock.TryDecodeUtf8(span, out var text)) throw Corrupt("entry name is not valid UTF-8", RawName());
        return text;
    }

    private string FieldString(ReadOnlySpan<byte> field, string? entry)
    {
        if (!UstarBlock.TryDecodeUtf8(field, out var text))
            throw Corrupt(entry is null ? "entry name is not valid UTF-8" : "a header field is not valid UTF-8", entry ?? RawName());
        return text;
    }

    private long Number(int offset, int length, string what)
    {
        if (!UstarBlock.TryParseNumber(_block.AsSpan(offset, length), out long value))
            throw Corrupt($"malformed {what} field in the header at offset {_position - UstarBlock.Size}", RawName());
        return value;
    }

    /// <summary>The header's own name field, lossily decoded, for messages about headers that could not be parsed.</summary>
    private string RawName() =>
        System.Text.Encoding.UTF8.GetString(UstarBlock.Field(_block, UstarBlock.NameOffset, UstarBlock.NameLength));

    private byte[] ReadMetadata(long size, string what)
    {
        if (size > MaxMetadataSize)
            throw Corrupt($"{what} claims {size} bytes, more than the {MaxMetadataSize} bytes allowed for metadata", RawName());
        var data = new byte[size];
        ReadExactly(data, RawName());
        long padding = (UstarBlock.Size - size % UstarBlock.Size) % UstarBlock.Size;
        Skip(padding, RawName());
        return data;
    }

    /// <summary>Reads one header block. Returns false at a clean end of input (only where allowed).</summary>
    private bool ReadBlock(bool endAllowed)
    {
        int total = 0;
        while (total < UstarBlock.Size)
        {
            int read = _input.Read(_block, total, UstarBlock.Size - total);
            if (read <= 0) break;
            total += read;
        }
        _position += total;
        if (total == UstarBlock.Size) return true;
        if (total == 0 && endAllowed) return false;
        throw Corrupt($"the archive is truncated at offset {_position}, inside a header", null);
    }

    private void ReadExactly(Span<byte> buffer, string? entry)
    {
        while (!buffer.IsEmpty)
        {
            int read = _input.Read(buffer);
            if (read <= 0) throw Corrupt($"the archive is truncated at offset {_position}", entry);
            _position += read;
            buffer = buffer[read..];
        }
    }

    private void Skip(long count, string? entry)
    {
        if (count <= 0) return;
        if (_input.CanSeek)
        {
            long available = _input.Length - _input.Position;
            if (available >= count)
            {
                _input.Seek(count, SeekOrigin.Current);
                _position += count;
                return;
            }
        }
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (count > 0)
            {
                int read = _input.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
                if (read <= 0) throw Corrupt($"the archive is truncated at offset {_position}", entry);
                _position += read;
                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private int ReadContent(Span<byte> buffer)
    {
        if (_remaining == 0 || buffer.IsEmpty) return 0;
        if (buffer.Length > _remaining) buffer = buffer[..(int)_remaining];
        int read = _input.Read(buffer);
        if (read <= 0) throw Corrupt($"the archive is truncated at offset {_position}, inside the entry's data", Current?.Name);
        _position += read;
        _remaining -= read;
        return read;
    }

    private ContainerSdkException Corrupt(string message, string? entry) =>
        new(Codes.CorruptArchive, entry is null ? $"{_archiveName}: {message}." : $"{_archiveName}: entry '{entry}': {message}.", _archiveName);

    private ContainerSdkException Unsupported(string message, string entry) =>
        new(Codes.UnsupportedInputFormat, $"{_archiveName}: entry '{entry}': {message}.", _archiveName);

    /// <summary>A view of the current entry's data; stale once Next() moves on.</summary>
    private sealed class EntryContentStream : IO.ReadOnlyStream
    {
        private readonly TarReader _reader;
        private readonly TarHeader _entry;

        public EntryContentStream(TarReader reader)
        {
            _reader = reader;
            _entry = reader.Current!;
        }

        public override long Length => _entry.Size;
        public override long Position
        {
            get => _entry.Size - (ReferenceEquals(_reader.Current, _entry) ? _reader._remaining : 0);
            set => throw new NotSupportedException();
        }

        public override int Read(Span<byte> buffer)
        {
            if (!ReferenceEquals(_reader.Current, _entry))
                throw new InvalidOperationException($"The content of '{_entry.Name}' is no longer available: the reader moved to the next entry.");
            return _reader.ReadContent(buffer);
        }
    }
}
