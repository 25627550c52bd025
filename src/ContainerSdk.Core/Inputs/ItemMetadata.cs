using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Inputs;

/// <summary>
/// The metadata names an item of the project may carry, kept here once: the SDK's own (the contract's names) and
/// MSBuild's well-known item metadata. MSBuild accepts any name, so a misspelled one (<c>TargetDir</c>) would be
/// dropped without a word and the module would land at <c>/</c>: <see cref="Check"/> turns each name the SDK does not
/// know into a warning that names the closest known one.
/// </summary>
internal static class ItemMetadata
{
    public const string TargetPath = "TargetPath";
    public const string ExcludeFiles = "ExcludeFiles";
    public const string RemovePaths = "RemovePaths";

    /// <summary>
    /// The names before <see cref="ExcludeFiles"/> and <see cref="RemovePaths"/>: MSBuild's own item attributes
    /// (as an attribute <c>Remove</c> is an MSBuild error, <c>Exclude</c> filters the Include), still read as
    /// metadata elements, with a warning.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Renamed = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Exclude"] = ExcludeFiles,
        ["Remove"] = RemovePaths,
    };

    /// <summary>What a BaseLayer or a Module reads (the spec's Module table, and Reference for an image).</summary>
    private static readonly string[] LayerNames =
    {
        TargetPath, "Owner", "Group", ExcludeFiles, "Environment", RemovePaths, "Version", "License",
        "ModuleFile", "ModulePrefix", "AllowedRegistries", "Reference",
    };

    private static readonly string[] AclFileNames = { "Root" };

    /// <summary>MSBuild's well-known item metadata: every item has them.</summary>
    private static readonly string[] WellKnown =
    {
        "FullPath", "RootDir", "Filename", "Extension", "RelativeDir", "Directory", "RecursiveDir", "Identity",
        "ModifiedTime", "CreatedTime", "AccessedTime", "DefiningProjectFullPath", "DefiningProjectDirectory",
        "DefiningProjectName", "DefiningProjectExtension",
    };

    /// <summary>The SDK's own names for an item type (BaseLayer, Module, AclFile), in the order the contract lists them.</summary>
    public static IReadOnlyList<string> Known(string itemType) => itemType == "AclFile" ? AclFileNames : LayerNames;

    /// <summary>
    /// One warning per name of <paramref name="names"/> (the item's metadata that has a value) that the SDK does not
    /// read: an old name (<see cref="Renamed"/>) names its new one; another names the closest known name, and for a
    /// Module without TargetPath, where the module's root went.
    /// </summary>
    public static IReadOnlyList<(string Code, string Message)> Check(string itemType, string itemSpec, IReadOnlyCollection<string> names)
    {
        var warnings = new List<(string, string)>();
        var own = Known(itemType);
        bool hasTargetPath = names.Contains(TargetPath, StringComparer.OrdinalIgnoreCase);
        foreach (var name in names.OrderBy(n => n, StringComparer.Ordinal))
        {
            if (own.Contains(name, StringComparer.OrdinalIgnoreCase) || WellKnown.Contains(name, StringComparer.OrdinalIgnoreCase)) continue;
            if (itemType != "AclFile" && Renamed.TryGetValue(name, out var renamed))
            {
                bool both = names.Contains(renamed, StringComparer.OrdinalIgnoreCase);
                warnings.Add((Codes.RenamedItemMetadata, both
                    ? $"{itemType} '{itemSpec}' sets both {name} and {renamed}: {renamed} is used and {name} is ignored ({name} is MSBuild's own item attribute; the metadata is now {renamed})."
                    : $"{itemType} '{itemSpec}' has metadata {name}, now named {renamed} ({name} is MSBuild's own item attribute): write <{renamed}>; {name} still works for now."));
                continue;
            }
            string? closest = Closest(name, own);
            string message = $"{itemType} '{itemSpec}' has metadata {name}, which ContainerSdk does not know (it is ignored)"
                + (closest is null ? $"; {itemType} reads {string.Join(", ", own)}." : $": did you mean {closest}?");
            if (itemType == "Module" && !hasTargetPath)
                message += $" The module has no {TargetPath}, so its root lands at '{LayerInputs.DefaultTargetPath}'.";
            warnings.Add((Codes.UnknownItemMetadata, message));
        }
        return warnings;
    }

    /// <summary>The known name nearest to <paramref name="name"/> (edit distance, ignoring case), if it is near enough to be a slip.</summary>
    internal static string? Closest(string name, IReadOnlyList<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            int d = Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (d < bestDistance) (best, bestDistance) = (candidate, d);
        }
        // Half the name's letters, or a shared stem of four (TargetDir, TargetPath): beyond that a suggestion misleads.
        return best is not null && (bestDistance <= Math.Max(2, name.Length / 2) || CommonPrefix(name, best) >= 4) ? best : null;
    }

    private static int CommonPrefix(string a, string b)
    {
        int n = 0;
        while (n < a.Length && n < b.Length && char.ToLowerInvariant(a[n]) == char.ToLowerInvariant(b[n])) n++;
        return n;
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
