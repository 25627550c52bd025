using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Acl;

/// <summary>Turns a dump's path (relative to the AclFile's Root, or absolute) into one absolute, normalized image path.</summary>
internal static class AclImagePath
{
    public static string Normalize(string path, string baseAbsolute, string fileName, int line, int column)
    {
        var parts = new List<string>();
        if (!path.StartsWith('/'))
            Push(baseAbsolute);
        Push(path);
        return "/" + string.Join('/', parts);

        void Push(string p)
        {
            foreach (var part in p.Split('/'))
            {
                if (part.Length == 0 || part == ".") continue;
                if (part == "..")
                {
                    if (parts.Count == 0)
                        throw new ContainerSdkException(Codes.AclSyntax,
                            $"path \"{path}\" leaves the image root (\"..\" above \"/\")", fileName, line, column);
                    parts.RemoveAt(parts.Count - 1);
                    continue;
                }
                parts.Add(part);
            }
        }
    }

    /// <summary>The path as getfacl -R prints it when run from <paramref name="root"/>: relative, "." for the root itself.</summary>
    public static string RelativeTo(string absolute, string root)
    {
        var a = Normalize(absolute, "/", "", 0, 0);
        var r = Normalize(root, "/", "", 0, 0);
        if (a == r) return ".";
        if (r == "/") return a[1..];
        if (a.StartsWith(r + "/", StringComparison.Ordinal)) return a[(r.Length + 1)..];
        throw new ArgumentException($"'{absolute}' is not under '{root}'", nameof(absolute));
    }
}
