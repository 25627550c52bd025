using System.Text.Json;
using ContainerSdk.Core.Tar;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Tar;

/// <summary>python3's tarfile as an independent reader of the same archives.</summary>
internal static class PythonTarfile
{
    public sealed record Member(string Name, string Type, long Size, int Mode, long Uid, long Gid, string LinkName,
        int DevMajor, int DevMinor, long Mtime, Dictionary<string, string> Pax, string? Sha256);

    private const string ListScript = """
        import tarfile, sys, json, hashlib
        out = []
        with tarfile.open(sys.argv[1]) as t:
            for m in t:
                d = {"Name": m.name, "Type": m.type.decode("latin1"), "Size": m.size, "Mode": m.mode, "Uid": m.uid, "Gid": m.gid,
                     "LinkName": m.linkname, "DevMajor": m.devmajor, "DevMinor": m.devminor, "Mtime": int(m.mtime),
                     "Pax": {k: v.encode("utf-8", "surrogateescape").hex() for k, v in m.pax_headers.items()}, "Sha256": None}
                if m.isreg():
                    d["Sha256"] = hashlib.sha256(t.extractfile(m).read()).hexdigest()
                out.append(d)
        print(json.dumps(out))
        """;

    public static List<Member> List(string archive)
    {
        var python = Tools.Require("python3");
        var result = Tools.Run(python, "-c", ListScript, archive).EnsureSuccess("python3 tarfile list");
        return JsonSerializer.Deserialize<List<Member>>(result.StdOut)!;
    }

    public static void Run(string script, params string[] args)
    {
        var python = Tools.Require("python3");
        Tools.Run(python, new[] { "-c", script }.Concat(args)).EnsureSuccess("python3 script");
    }

    public static string Sha256(byte[] content) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(content)).ToLowerInvariant();

    /// <summary>Asserts that TarReader sees exactly what python sees: names, types, sizes, modes, owners, links, content.</summary>
    public static void AssertSameAsReader(string archive)
    {
        var python = List(archive);
        var ours = TarTestArchives.ReadAll(File.OpenRead(archive), archive);
        Assert.Equal(python.Count, ours.Count);
        for (int i = 0; i < python.Count; i++)
        {
            var (h, content) = ours[i];
            var p = python[i];
            Assert.Equal(TarPath.Normalize(p.Name), TarPath.Key(h.Name));
            Assert.Equal(p.Type is "0" or "\0" or "7" ? "0" : p.Type, ((char)h.Type).ToString());
            Assert.Equal(p.Size, h.Size);
            Assert.Equal(p.Mode, h.Mode);
            Assert.Equal(p.Uid, h.Uid);
            Assert.Equal(p.Gid, h.Gid);
            Assert.Equal(p.Mtime, h.ModificationTime);
            Assert.Equal(p.LinkName, h.LinkName);
            if (p.Sha256 is not null) Assert.Equal(p.Sha256, Sha256(content));
            foreach (var (key, hex) in p.Pax.Where(kv => kv.Key.StartsWith("SCHILY.xattr.") || kv.Key.StartsWith("SCHILY.acl.")))
                Assert.Equal(hex, Convert.ToHexString(h.PaxRecords[key]).ToLowerInvariant());
        }
    }
}
