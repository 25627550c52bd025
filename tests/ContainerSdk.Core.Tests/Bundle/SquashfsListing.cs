using System.Security.Cryptography;
using System.Text;
using ContainerSdk.Core.Acl;
using ContainerSdk.Core.Tar;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Bundle;

/// <summary>One path of a tree as a tar lists it, with what the comparison looks at.</summary>
internal sealed record ListedEntry(string Path, TarEntryType Type, long Uid, long Gid, int Mode, string Link, int Major, int Minor, string Sha256, string Xattrs)
{
    public override string ToString() =>
        $"{Path} {(char)Type} {Uid}:{Gid} {Convert.ToString(Mode, 8)} link '{Link}' dev {Major},{Minor} sha {Sha256[..Math.Min(12, Sha256.Length)]} xattrs [{Xattrs}]";
}

/// <summary>Trees read from tar streams with the engine's TarReader: the bundle (gunzipped) and sqfs2tar's view of an image.</summary>
internal static class SquashfsListing
{
    /// <summary>The tar's entries by path ("" the root), with the ACL of each (null when none), and the xattrs SquashFS keeps.</summary>
    public static Dictionary<string, (ListedEntry Entry, PosixAcl? Acl)> Read(string tarFile)
    {
        var result = new Dictionary<string, (ListedEntry, PosixAcl?)>(StringComparer.Ordinal);
        using var file = File.OpenRead(tarFile);
        using var reader = new TarReader(file, tarFile);
        while (reader.Next() is { } header)
        {
            string path = TarPath.Key(TarPath.Normalize(header.Name));
            string sha = "";
            if (header.Type == TarEntryType.Regular) sha = Convert.ToHexString(SHA256.HashData(reader.Content));
            var xattrs = string.Join(",", header.PaxRecordsRead
                .Where(r => r.Key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal) && !r.Key.Contains("system.", StringComparison.Ordinal))
                .OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key["SCHILY.xattr.".Length..]}={Convert.ToHexString(r.Value)}"));
            var acl = AclPax.Read(header.PaxRecordsRead)?.Access;
            bool device = header.Type is TarEntryType.CharacterDevice or TarEntryType.BlockDevice;
            result[path] = (new ListedEntry(path, header.Type, header.Uid, header.Gid, header.Mode & 0xFFF,
                header.Type is TarEntryType.SymbolicLink or TarEntryType.HardLink ? header.LinkName.TrimStart('.', '/') : "",
                device ? header.DeviceMajor : 0, device ? header.DeviceMinor : 0, sha, xattrs), acl);
        }
        return result;
    }

    public static string Gunzip(string gz, string tar)
    {
        using var output = File.Create(tar);
        var bytes = Tools.RunBytes("gzip", "-dc", gz);
        output.Write(bytes);
        return tar;
    }

    /// <summary>sqfs2tar's tar of the image, the root kept as "./" (its owner and mode are compared too).</summary>
    public static string Sqfs2Tar(string image, string tar)
    {
        var bytes = Tools.RunBytes(Tools.Require("sqfs2tar"), "-r", ".", image);
        File.WriteAllBytes(tar, bytes);
        return tar;
    }

    /// <summary>unsquashfs -lln: path → (mode string, "uid/gid"), the root as "".</summary>
    public static Dictionary<string, (string Perms, string Owner)> Unsquashfs(string image)
    {
        var listing = Tools.Run(Tools.Require("unsquashfs"), "-lln", "-d", "R", image).EnsureSuccess("unsquashfs -lln").StdOut;
        var result = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[0].Length != 10) continue;
            // perms uid/gid size-or-dev date time path [-> target]
            int pathField = Array.FindIndex(fields, f => f == "R" || f.StartsWith("R/", StringComparison.Ordinal));
            if (pathField < 0) continue;
            string path = fields[pathField] == "R" ? "" : fields[pathField][2..];
            result[path] = (fields[0], fields[1]);
        }
        return result;
    }

    /// <summary>ls -l's letters for a type and mode, as unsquashfs prints them.</summary>
    public static string Perms(TarEntryType type, int mode)
    {
        var s = new StringBuilder();
        s.Append(type switch
        {
            TarEntryType.Directory => 'd', TarEntryType.SymbolicLink => 'l', TarEntryType.CharacterDevice => 'c',
            TarEntryType.BlockDevice => 'b', TarEntryType.Fifo => 'p', _ => '-',
        });
        for (int shift = 6; shift >= 0; shift -= 3)
        {
            int bits = (mode >> shift) & 7;
            s.Append((bits & 4) != 0 ? 'r' : '-').Append((bits & 2) != 0 ? 'w' : '-');
            int special = shift == 6 ? 0x800 : shift == 3 ? 0x400 : 0x200;
            bool x = (bits & 1) != 0, sp = (mode & special) != 0;
            char on = shift == 0 ? 't' : 's';
            s.Append(sp ? (x ? on : char.ToUpperInvariant(on)) : x ? 'x' : '-');
        }
        return s.ToString();
    }
}
