namespace ContainerSdk.Core.Modules;

/// <summary>Lmod's <c>pathJoin</c>: the parts joined with single slashes, empty and nil parts left out, then tidied.</summary>
internal static class ModulePaths
{
    public static string Join(IEnumerable<string?> parts)
    {
        var kept = new List<string>();
        int index = 0;
        foreach (var part in parts)
        {
            index++;
            if (string.IsNullOrEmpty(part)) continue;
            var p = part.Trim();
            if (index > 1 && p.StartsWith('/')) p = p[1..];
            while (p.Contains("//", StringComparison.Ordinal)) p = p.Replace("//", "/", StringComparison.Ordinal);
            if (p.EndsWith('/')) p = p.Length > 1 ? p[..^1] : index == 1 ? "/" : "";
            if (p.Length > 0) kept.Add(p);
        }
        var joined = LmodPath.Regularize(string.Join('/', kept), home: null);
        return joined;
    }
}
