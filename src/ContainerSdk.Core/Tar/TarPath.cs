namespace ContainerSdk.Core.Tar;

/// <summary>
/// Path helpers for layer entries. Entries are ordered component by component (ordinal), so that a
/// directory's whole subtree is contiguous and directly follows the directory: "a", "a/b", "a-b".
/// Whiteouts sort just before the name they delete (".wh.x" right before "x") and an opaque marker
/// (".wh..wh..opq") first in its directory, as the OCI spec recommends (whiteouts before their siblings).
/// Every layer the engine writes uses this order, which lets the bundle flatten merge all layers in one
/// streaming pass: a deletion is always seen before what it deletes.
/// </summary>
internal static class TarPath
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

    public const string WhiteoutPrefix = ".wh.";
    public const string OpaqueWhiteout = ".wh..wh..opq";

    /// <summary>The base name of a key: "usr/bin/sh" gives "sh".</summary>
    public static string BaseName(string key) => key[(key.LastIndexOf('/') + 1)..];

    public static bool IsWhiteout(string key) => BaseName(key).StartsWith(WhiteoutPrefix, StringComparison.Ordinal);

    public static string Join(string parentKey, string name) => parentKey.Length == 0 ? name : parentKey + "/" + name;

    /// <summary>
    /// Whether each key sorts strictly after the one before it in <see cref="Comparer"/> order: then sorting them
    /// would change nothing, and checking costs one comparison per key (a folder's walk gives its paths in this order).
    /// </summary>
    public static bool IsStrictlyOrdered(IReadOnlyList<string> keys)
    {
        for (int i = 1; i < keys.Count; i++)
            if (Comparer.Compare(keys[i - 1], keys[i]) >= 0) return false;
        return true;
    }

    private sealed class ComponentComparer : IComparer<string>
    {
        public int Compare(string? x, string? y) => Compare((x ?? "").AsSpan().TrimEnd('/'), (y ?? "").AsSpan().TrimEnd('/'));

        private static int Compare(ReadOnlySpan<char> x, ReadOnlySpan<char> y)
        {
            // Components before the first difference are equal: the comparison starts at the component holding it.
            int same = x.CommonPrefixLength(y);
            if (same == x.Length && same == y.Length) return 0;
            int i = x[..same].LastIndexOf('/') + 1, j = i;
            while (true)
            {
                bool xDone = i >= x.Length, yDone = j >= y.Length;
                if (xDone || yDone) return xDone == yDone ? 0 : xDone ? -1 : 1;
                int xe = x[i..].IndexOf('/'); xe = xe < 0 ? x.Length : i + xe;
                int ye = y[j..].IndexOf('/'); ye = ye < 0 ? y.Length : j + ye;
                int c = CompareComponent(x[i..xe], y[j..ye]);
                if (c != 0) return c;
                i = xe + 1; j = ye + 1;
            }
        }

        // A component sorts by the name it stands for, then by rank: opaque marker, whiteout, the name itself.
        private static int CompareComponent(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
        {
            int ar = Rank(a), br = Rank(b);
            if (ar == 0 || br == 0) return ar - br;
            int c = Ordinal(Name(a, ar), Name(b, br));
            return c != 0 ? c : ar - br;
        }

        // UTF-16 code unit order, as SequenceCompareTo gives it; a plain loop, because a fresh MSBuild process runs the
        // vectorized one unoptimized for its first thousands of calls (it is compiled for the machine, not ahead of time).
        private static int Ordinal(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
        {
            int n = Math.Min(a.Length, b.Length);
            for (int k = 0; k < n; k++)
                if (a[k] != b[k]) return a[k] - b[k];
            return a.Length - b.Length;
        }

        private static int Rank(ReadOnlySpan<char> component) =>
            component.SequenceEqual(OpaqueWhiteout) ? 0 : component.StartsWith(WhiteoutPrefix) ? 1 : 2;

        private static ReadOnlySpan<char> Name(ReadOnlySpan<char> component, int rank) =>
            rank == 1 ? component[WhiteoutPrefix.Length..] : component;
    }
}
