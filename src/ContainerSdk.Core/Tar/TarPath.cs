namespace ContainerSdk.Core.Tar;

/// <summary>
/// Path helpers for layer entries. Entries are ordered component by component (ordinal), so that a
/// directory's whole subtree is contiguous and directly follows the directory: "a", "a/b", "a-b".
/// Every layer the engine writes uses this order, which lets the bundle flatten merge layers in one pass.
/// </summary>
public static class TarPath
{
    public static readonly IComparer<string> Comparer = new ComponentComparer();

    /// <summary>Strips "./", leading '/', duplicate and trailing slashes: "./usr//bin/" becomes "usr/bin".</summary>
    public static string Normalize(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");
        return string.Join('/', parts);
    }

    /// <summary>The key an entry sorts and merges by: the normalized path without a directory's trailing '/'.</summary>
    public static string Key(string name) => name.TrimEnd('/');

    public static string? Parent(string key)
    {
        int slash = key.LastIndexOf('/');
        return slash < 0 ? (key.Length == 0 ? null : "") : key[..slash];
    }

    public static bool IsUnder(string key, string ancestorKey) =>
        ancestorKey.Length == 0 ? key.Length > 0
        : key.Length > ancestorKey.Length && key[ancestorKey.Length] == '/' && key.StartsWith(ancestorKey, StringComparison.Ordinal);

    private sealed class ComponentComparer : IComparer<string>
    {
        public int Compare(string? x, string? y)
        {
            x = Key(x ?? ""); y = Key(y ?? "");
            int i = 0, j = 0;
            while (true)
            {
                bool xDone = i >= x.Length, yDone = j >= y.Length;
                if (xDone || yDone) return xDone == yDone ? 0 : xDone ? -1 : 1;
                int xe = x.IndexOf('/', i); if (xe < 0) xe = x.Length;
                int ye = y.IndexOf('/', j); if (ye < 0) ye = y.Length;
                int n = Math.Min(xe - i, ye - j);
                int c = string.CompareOrdinal(x, i, y, j, n);
                if (c == 0) c = (xe - i) - (ye - j);
                if (c != 0) return c;
                i = xe + 1; j = ye + 1;
            }
        }
    }
}
