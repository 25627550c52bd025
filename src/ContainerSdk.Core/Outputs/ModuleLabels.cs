using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Inputs;

namespace ContainerSdk.Core.Outputs;

/// <summary>
/// What the image says about its modules, as labels (config; `podman inspect`, `skopeo inspect` show them) and the
/// same keys as manifest annotations: <c>io.containersdk.module.&lt;n&gt;.name</c>, <c>.version</c>, <c>.license</c>,
/// <c>.layer</c> (the module layer's digest; a module split into parts lists every part's, comma-separated, bottom
/// first), n counting modules from 1 in item order; <c>io.containersdk.modules</c> lists the names, comma-separated,
/// for a quick look.
/// </summary>
internal static class ModuleLabels
{
    public const string Prefix = "io.containersdk.module.";
    public const string ListKey = "io.containersdk.modules";

    /// <param name="baseLabels">
    /// The labels of the image used as a base (its config's): its modules stay in the image (their layers are reused
    /// byte for byte), so its module labels are kept, numbered as they were, the list starts with theirs, and this
    /// image's modules follow them.
    /// </param>
    public static SortedDictionary<string, string> For(IReadOnlyList<BuiltLayer> layers, IReadOnlyDictionary<string, string>? baseLabels = null)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var names = new List<string>();
        int n = 0;
        foreach (var (key, value) in baseLabels ?? new Dictionary<string, string>())
        {
            if (!key.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            int dot = key.IndexOf('.', Prefix.Length);
            if (dot < 0 || !int.TryParse(key.AsSpan(Prefix.Length, dot - Prefix.Length), System.Globalization.NumberStyles.None, null, out int number)) continue;
            labels[key] = value;
            n = Math.Max(n, number);
        }
        if (baseLabels is not null && baseLabels.TryGetValue(ListKey, out var baseList) && baseList.Length > 0) names.AddRange(baseList.Split(','));
        foreach (var layer in layers.Where(l => l.Kind == LayerKind.Module))
        {
            // A later part of a split module adds its digest to the module's list.
            if (layer.Part > 1 && n > 0)
            {
                labels[$"{Prefix}{n}.layer"] += "," + layer.Descriptor.Digest;
                continue;
            }
            n++;
            string name = NameOf(layer.ItemSpec);
            names.Add(name);
            labels[$"{Prefix}{n}.name"] = name;
            if (!string.IsNullOrEmpty(layer.Version)) labels[$"{Prefix}{n}.version"] = layer.Version;
            if (!string.IsNullOrEmpty(layer.License)) labels[$"{Prefix}{n}.license"] = layer.License;
            labels[$"{Prefix}{n}.layer"] = layer.Descriptor.Digest.ToString();
        }
        if (names.Count > 0) labels[ListKey] = string.Join(",", names);
        return labels;
    }

    /// <summary>"modules/suite-12.tar.gz" gives "suite-12"; "modules/openmpi-4.1.6/" gives "openmpi-4.1.6".</summary>
    public static string NameOf(string itemSpec)
    {
        string name = Path.GetFileName(itemSpec.Replace('\\', '/').TrimEnd('/'));
        foreach (var ext in new[] { ".tar.gz", ".tar.bz2", ".tar.zst", ".tgz", ".tbz2", ".tzst", ".tar" })
            if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase) && name.Length > ext.Length) return name[..^ext.Length];
        return name;
    }
}
