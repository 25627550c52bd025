using System.Globalization;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Acl;

/// <summary>
/// Reads the dump that <c>getfacl -R</c> writes and <c>setfacl --restore</c> reads: blocks separated by blank
/// lines, each a "# file:" header, optional "# owner:", "# group:", "# flags:" headers, then entries such as
/// "user:alice:r-x" or "default:group::r-x". Takes what setfacl takes: short forms (u: g: m: o: d:), "mask:rwx",
/// permissions as "rx" or "5", a missing mask (computed as setfacl computes it); ignores trailing "#effective:"
/// comments. Every mistake is reported with the file, line and column.
/// </summary>
internal static class AclDumpParser
{
    public static IReadOnlyList<AclDumpEntry> Parse(TextReader reader, string fileName, string root, INameResolver names)
    {
        var rootPath = AclImagePath.Normalize(root, "/", fileName, 0, 0);
        var result = new List<AclDumpEntry>();
        Block? block = null;
        var lineNo = 0;
        string? raw;
        while ((raw = reader.ReadLine()) is not null)
        {
            lineNo++;
            // Dumps edited on Windows: a bare CR cannot be part of a name (getfacl writes it as \015).
            var line = raw.EndsWith('\r') ? raw[..^1] : raw;
            var start = SkipBlanks(line, 0);
            if (start == line.Length)
            {
                Finish(block, result, fileName);
                block = null;
                continue;
            }
            if (line[start] == '#')
            {
                ParseHeader(line, start, lineNo, fileName, rootPath, names, ref block, result);
                continue;
            }
            if (block is null)
                throw Syntax("an ACL entry comes before any \"# file:\" line; each block must start with \"# file: <path>\"",
                    fileName, lineNo, start + 1);
            ParseEntry(line, start, lineNo, fileName, names, block);
        }
        Finish(block, result, fileName);
        return result;
    }

    private static bool ParseHeader(string line, int start, int lineNo, string fileName, string rootPath, INameResolver names,
        ref Block? block, List<AclDumpEntry> result)
    {
        var pos = SkipBlanks(line, start + 1);
        var colon = line.IndexOf(':', pos);
        if (colon < 0) return false; // a plain comment
        var keyword = line[pos..colon];
        var valueStart = SkipBlanks(line, colon + 1);
        var value = line[valueStart..];
        switch (keyword)
        {
            case "file":
                Finish(block, result, fileName);
                if (value.Length == 0)
                    throw Syntax("\"# file:\" names no path", fileName, lineNo, valueStart + 1);
                var path = AclImagePath.Normalize(AclQuoting.Unquote(value), rootPath, fileName, lineNo, valueStart + 1);
                block = new Block(path, lineNo);
                return true;
            case "owner":
            case "group":
            {
                if (block is null)
                    throw Syntax($"\"# {keyword}:\" comes before any \"# file:\" line", fileName, lineNo, start + 1);
                var text = value.TrimEnd(' ', '\t');
                if (text.Length == 0)
                    throw Syntax($"\"# {keyword}:\" names no {(keyword == "owner" ? "user" : "group")}", fileName, lineNo, valueStart + 1);
                var id = ResolveId(AclQuoting.Unquote(text), isUser: keyword == "owner", names, fileName, lineNo, valueStart + 1);
                if (keyword == "owner") block.Owner = id; else block.Group = id;
                return true;
            }
            case "flags":
            {
                if (block is null)
                    throw Syntax("\"# flags:\" comes before any \"# file:\" line", fileName, lineNo, start + 1);
                block.Flags = ParseFlags(value.TrimEnd(' ', '\t'), fileName, lineNo, valueStart + 1);
                return true;
            }
            default:
                return false; // other comments are allowed and ignored, as setfacl does
        }
    }

    private static AclFlags ParseFlags(string text, string fileName, int lineNo, int column)
    {
        const string expected = "three characters: 's' or '-' (setuid), 's' or '-' (setgid), 't' or '-' (sticky), e.g. \"-s-\"";
        if (text.Length != 3)
            throw Syntax($"\"# flags:\" value \"{text}\" is not {expected}", fileName, lineNo, column);
        var flags = AclFlags.None;
        ReadFlag(0, 's', AclFlags.SetUid);
        ReadFlag(1, 's', AclFlags.SetGid);
        ReadFlag(2, 't', AclFlags.Sticky);
        return flags;

        void ReadFlag(int i, char letter, AclFlags flag)
        {
            if (text[i] == letter) flags |= flag;
            else if (text[i] != '-')
                throw Syntax($"\"# flags:\" value \"{text}\" is not {expected}", fileName, lineNo, column + i);
        }
    }

    private static void ParseEntry(string line, int start, int lineNo, string fileName, INameResolver names, Block block)
    {
        // A '#' starts a comment (getfacl writes "\t#effective:r--" after entries the mask restricts).
        var hash = line.IndexOf('#', start);
        var end = hash < 0 ? line.Length : hash;
        while (end > start && (line[end - 1] == ' ' || line[end - 1] == '\t')) end--;

        var fields = new List<(string Text, int Column)>();
        var fieldStart = start;
        for (var i = start; i <= end; i++)
        {
            if (i == end || line[i] == ':')
            {
                fields.Add((line[fieldStart..i], fieldStart + 1));
                fieldStart = i + 1;
            }
        }

        var isDefault = false;
        if (fields[0].Text is "d" or "default")
        {
            isDefault = true;
            fields.RemoveAt(0);
            if (fields.Count == 0 || (fields.Count == 1 && fields[0].Text.Length == 0))
                throw Syntax("\"default:\" is not followed by an entry such as \"default:user::rwx\"", fileName, lineNo, end + 1);
        }

        var (tagText, tagColumn) = fields[0];
        AclTag objTag, namedTag;
        switch (tagText)
        {
            case "u": case "user": objTag = AclTag.UserObj; namedTag = AclTag.User; break;
            case "g": case "group": objTag = AclTag.GroupObj; namedTag = AclTag.Group; break;
            case "m": case "mask": objTag = namedTag = AclTag.Mask; break;
            case "o": case "other": objTag = namedTag = AclTag.Other; break;
            default:
                throw Syntax($"\"{tagText}\" is not an ACL entry type; expected user, group, mask, other (or u, g, m, o), optionally after default:",
                    fileName, lineNo, tagColumn);
        }

        var hasQualifierField = objTag is AclTag.UserObj or AclTag.GroupObj;
        // mask and other take an optional empty qualifier field: "mask::rwx" (getfacl) or "mask:rwx" (setfacl).
        var expectedCount = hasQualifierField ? 3 : fields.Count == 2 ? 2 : 3;
        if (fields.Count != expectedCount)
        {
            var shape = hasQualifierField ? $"{tagText}:<name or id, or empty>:<perms>" : $"{tagText}::<perms>";
            var column = fields.Count > expectedCount ? fields[expectedCount].Column - 1 : end + 1;
            throw Syntax($"malformed ACL entry \"{line[start..end]}\": expected \"{shape}\"", fileName, lineNo, column);
        }

        var tag = objTag;
        uint qualifier = 0;
        if (expectedCount == 3)
        {
            var (qText, qColumn) = fields[1];
            if (qText.Length > 0)
            {
                if (!hasQualifierField)
                    throw Syntax($"a {tagText} entry takes no user or group (\"{tagText}::<perms>\")", fileName, lineNo, qColumn);
                tag = namedTag;
                qualifier = ResolveId(AclQuoting.Unquote(qText), objTag == AclTag.UserObj, names, fileName, lineNo, qColumn);
            }
        }

        var (permsText, permsColumn) = fields[^1];
        var perms = ParsePerms(permsText, fileName, lineNo, permsColumn);

        var key = (isDefault, tag, qualifier);
        if (block.Seen.TryGetValue(key, out var firstLine))
            throw new ContainerSdkException(Codes.AclInvalid,
                $"duplicate ACL entry \"{(isDefault ? "default:" : "")}{new AclEntry(tag, qualifier, perms)}\" for '{block.Path}' (first given at line {firstLine})",
                fileName, lineNo, start + 1);
        block.Seen[key] = lineNo;
        (isDefault ? block.Default : block.Access).Add(new AclEntry(tag, qualifier, perms));
    }

    /// <summary>
    /// Permissions as setfacl reads them: getfacl's "r-x", or the letters r, w, x in any order with '-' as filler
    /// ("rx", "wr", "-"), or one octal digit ("5"). 'X' is refused: its meaning depends on the file at restore time.
    /// </summary>
    private static int ParsePerms(string text, string fileName, int lineNo, int column)
    {
        const string expected = "expected r, w, x or '-' (as in \"r-x\") or an octal digit 0-7";
        if (text.Length == 0)
            throw Syntax($"missing permissions: {expected}", fileName, lineNo, column);
        if (text.All(char.IsAsciiDigit))
        {
            var value = 0;
            for (var i = 0; i < text.Length; i++)
            {
                value = value * 8 + (text[i] - '0');
                if (text[i] > '7' || value > 7)
                    throw Syntax($"permissions \"{text}\" are not an octal digit 0-7", fileName, lineNo, column + i);
            }
            return value;
        }
        var perms = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var bit = text[i] switch { 'r' => AclEntry.Read, 'w' => AclEntry.Write, 'x' => AclEntry.Execute, '-' => 0, _ => -1 };
            if (text[i] == 'X')
                throw Syntax($"permissions \"{text}\": 'X' (execute only for directories and executables) depends on the file when setfacl runs and cannot be stored in an image; write 'x' or '-'",
                    fileName, lineNo, column + i);
            if (bit < 0)
                throw Syntax($"permissions \"{text}\" are malformed at '{text[i]}': {expected}", fileName, lineNo, column + i);
            if ((perms & bit) != 0)
                throw Syntax($"permissions \"{text}\" repeat '{text[i]}'", fileName, lineNo, column + i);
            perms |= bit;
        }
        return perms;
    }

    /// <summary>A number is an id (as libacl reads it); anything else is a name of the image.</summary>
    private static uint ResolveId(string text, bool isUser, INameResolver names, string fileName, int lineNo, int column)
    {
        if (text.All(char.IsAsciiDigit))
        {
            if (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id == uint.MaxValue)
                throw Syntax($"{(isUser ? "user" : "group")} id {text} is out of range (0..4294967294)", fileName, lineNo, column);
            return id;
        }
        if (isUser ? names.TryResolveUser(text, out var uid) : names.TryResolveGroup(text, out uid))
            return uid;
        throw new ContainerSdkException(Codes.AclUnknownName,
            $"unknown {(isUser ? "user" : "group")} \"{text}\" at line {lineNo}: it is not in {names.DescribeSources()}. " +
            $"Add it to the image's {(isUser ? "/etc/passwd" : "/etc/group")} or use the numeric id.",
            fileName, lineNo, column);
    }

    private static void Finish(Block? block, List<AclDumpEntry> result, string fileName)
    {
        if (block is null) return;
        if (block.Access.Count == 0 && block.Default.Count == 0)
            throw new ContainerSdkException(Codes.AclInvalid,
                $"the block for '{block.Path}' lists no ACL entries (expected at least user::, group:: and other::)",
                fileName, block.Line, 1);
        var access = block.Access.Count == 0 ? null : Build(block.Access, "access", block, fileName);
        var @default = block.Default.Count == 0 ? null : Build(block.Default, "default", block, fileName);
        result.Add(new AclDumpEntry(block.Path, block.Owner, block.Group, block.Flags, new AclSet(access, @default), block.Line));
    }

    private static PosixAcl Build(List<AclEntry> entries, string kind, Block block, string fileName)
    {
        // setfacl --restore computes a missing mask (acl_calc_mask: the union of the group class) rather than
        // refusing the dump; do the same so that every dump setfacl takes is taken here too.
        if (entries.Any(e => e.Tag.HasQualifier()) && entries.All(e => e.Tag != AclTag.Mask))
        {
            var union = entries.Where(e => e.Tag is AclTag.User or AclTag.GroupObj or AclTag.Group).Aggregate(0, (m, e) => m | e.Perms);
            entries = entries.Append(AclEntry.Mask(union)).ToList();
        }
        try
        {
            return PosixAcl.Create(entries);
        }
        catch (ContainerSdkException e) when (e.Code == Codes.AclInvalid)
        {
            throw new ContainerSdkException(Codes.AclInvalid,
                $"the {kind} ACL of '{block.Path}' (block at line {block.Line}) is invalid: {e.Message}", fileName, block.Line, 1);
        }
    }

    private static int SkipBlanks(string line, int i)
    {
        while (i < line.Length && (line[i] == ' ' || line[i] == '\t')) i++;
        return i;
    }

    private static ContainerSdkException Syntax(string message, string fileName, int line, int column) =>
        new(Codes.AclSyntax, message, fileName, line, column);

    private sealed class Block(string path, int line)
    {
        public string Path { get; } = path;
        public int Line { get; } = line;
        public uint? Owner { get; set; }
        public uint? Group { get; set; }
        public AclFlags Flags { get; set; }
        public List<AclEntry> Access { get; } = new();
        public List<AclEntry> Default { get; } = new();
        public Dictionary<(bool, AclTag, uint), int> Seen { get; } = new();
    }
}
