using System.Globalization;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Blobs;
using Microsoft.Build.Framework;

namespace ContainerSdk.Tasks;

/// <summary>
/// Items and properties, as MSBuild hands them to the tasks, turned into the engine's records. Pure functions of
/// their arguments (plus File.Exists for inputs) so they can be tested without MSBuild. Syntax errors in metadata
/// and properties point at the project file: that is where the user wrote them.
/// </summary>
internal static class ItemTranslation
{
    /// <summary>The item as written, checked once by the engine's rules (<see cref="LayerInputs.Validate(LayerInput)"/>).</summary>
    public static LayerRequest ToLayerRequest(ITaskItem item, LayerKind kind, string projectFile)
    {
        string what = kind == LayerKind.Base ? "BaseLayer" : "Module";
        var input = new LayerInput
        {
            ItemSpec = item.ItemSpec,
            Kind = kind,
            // An address (docker://...) is kept as written for the image source that reads it; a path is made full.
            SourcePath = ImageAddress.IsAddress(item.ItemSpec) ? item.ItemSpec : FullPathOf(item, what, projectFile),
            TargetPath = Metadata(item, "TargetPath"),
            Owner = Metadata(item, "Owner"),
            Group = Metadata(item, "Group"),
            Exclude = RenamedList(item, ItemMetadata.ExcludeFiles),
            Environment = SplitList(item, "Environment"),
            Remove = RenamedList(item, ItemMetadata.RemovePaths),
            Version = Metadata(item, "Version"),
            License = Metadata(item, "License"),
            // Relative to the project, as Include is.
            ModuleFile = Metadata(item, "ModuleFile") is { } moduleFile ? Path.GetFullPath(moduleFile, Path.GetDirectoryName(projectFile)!) : null,
            ModulePrefix = Metadata(item, "ModulePrefix"),
            Reference = Metadata(item, "Reference"),
            AllowedRegistries = SplitList(item, "AllowedRegistries"),
        };
        return AtProject(() => LayerInputs.Validate(input), projectFile);
    }

    public static AclFileRequest ToAclFileRequest(ITaskItem item, string projectFile)
    {
        string path = FullPathOf(item, "AclFile", projectFile);
        return AtProject(() => LayerInputs.Validate(new AclFileInput(path, Metadata(item, "Root")) { ItemSpec = item.ItemSpec }), projectFile);
    }

    /// <summary>An optional folder property (ContainerCacheDirectory, a work folder): empty means unset, else its full path.</summary>
    public static string? OptionalFullPath(string? value) => string.IsNullOrWhiteSpace(value) ? null : Path.GetFullPath(value);

    public static LayerCompression ParseCompression(string? value, string projectFile) => AtProject(() => Properties.Compression(value), projectFile);

    /// <summary>ContainerCacheMaxSize: bytes of older blobs the cache keeps, or null for the image's size.</summary>
    public static long? ParseCacheMaxSize(string? value, string projectFile) => AtProject(() => Properties.CacheMaxSize(value), projectFile);

    /// <summary>ContainerLayerCompressionLevel, blank for the default.</summary>
    public static LayerCompressionLevel ParseCompressionLevel(string? value, string projectFile) => AtProject(() => Properties.CompressionLevel(value), projectFile);

    /// <summary>ContainerRegistryTimeout, blank for the engine's default.</summary>
    public static TimeSpan ParseRegistryTimeout(string? value, string projectFile) => AtProject(() => Properties.RegistryTimeout(value), projectFile);

    public static long ParseEpoch(string? value, string projectFile) => AtProject(() => Properties.Epoch(value), projectFile);

    /// <summary>ContainerPlatform, blank for the engine's default.</summary>
    public static Core.Oci.Platform ParsePlatform(string? value, string projectFile) => AtProject(() => Properties.Platform(value), projectFile);

    public static SquashfsImageCompression ParseSquashfsCompression(string? value, string projectFile) => AtProject(() => Properties.SquashfsCompression(value), projectFile);

    public static SquashfsAclPolicy ParseSquashfsAclPolicy(string? value, string projectFile) => AtProject(() => Properties.SquashfsAclPolicy(value), projectFile);

    public static string ParseModulePath(string? value, string projectFile) => AtProject(() => Properties.ModulePath(value), projectFile);

    /// <summary>ContainerLmodSitePackage, relative to the project's folder; null when blank.</summary>
    public static string? ParseLmodSitePackage(string? value, string projectFile)
        => AtProject(() => Properties.LmodSitePackage(value, Path.GetDirectoryName(Path.GetFullPath(projectFile))!), projectFile);

    /// <summary>ContainerLayerSplitSize in bytes (a unit allowed), blank for the default, 0 for one layer per module.</summary>
    public static long ParseLayerSplitSize(string? value, string projectFile) => AtProject(() => Properties.LayerSplitSize(value), projectFile);

    public static string ValidateRepository(string? value, string projectFile) => AtProject(() => Properties.Repository(value), projectFile);

    public static IReadOnlyList<string> ValidateTags(IEnumerable<string>? tags, string projectFile) => AtProject(() => Properties.Tags(tags), projectFile);

    /// <summary>An engine error about a property or an item's metadata is reported at the project file: that is where the user wrote it.</summary>
    internal static T AtProject<T>(Func<T> check, string projectFile)
    {
        try { return check(); }
        catch (ContainerSdkException e) when (e.File is null) { throw new ContainerSdkException(e.Code, e.Message, projectFile, inner: e); }
    }

    /// <summary>ContainerEnvironmentVariable / ContainerLabel: the item's name and its Value metadata, in item order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ToPairs(IEnumerable<ITaskItem>? items, string itemType, string projectFile)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var item in items ?? Array.Empty<ITaskItem>())
        {
            if (itemType == "ContainerEnvironmentVariable") AtProject(() => Properties.EnvironmentVariableName(item.ItemSpec), projectFile);
            pairs.Add(new(item.ItemSpec, item.GetMetadata("Value")));
        }
        return pairs;
    }

    /// <summary>ContainerPort items as OCI ExposedPorts keys ("8080/tcp"); Include may also carry the type ("53/udp").</summary>
    public static IReadOnlyList<string> ToPorts(IEnumerable<ITaskItem>? items, string projectFile)
    {
        var ports = new List<string>();
        foreach (var item in items ?? Array.Empty<ITaskItem>())
        {
            string key = AtProject(() => Properties.Port(item.ItemSpec, Metadata(item, "Type")), projectFile);
            if (!ports.Contains(key)) ports.Add(key);
        }
        return ports;
    }

    /// <summary>ContainerEntrypoint / ContainerDefaultArgs: one argument per item; none means "keep the base image's".</summary>
    public static IReadOnlyList<string>? ToArguments(IEnumerable<ITaskItem>? items)
    {
        var list = (items ?? Array.Empty<ITaskItem>()).Select(i => i.ItemSpec).ToList();
        return list.Count == 0 ? null : list;
    }

    /// <summary>The item's full path (relative Includes are relative to the project directory), without a trailing separator.</summary>
    private static string FullPathOf(ITaskItem item, string what, string projectFile)
    {
        string full;
        try
        {
            full = item.GetMetadata("FullPath");
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException)
        {
            throw new ContainerSdkException(Codes.InputNotFound, $"{what} '{item.ItemSpec}' is not a valid path: {ex.Message}", projectFile);
        }
        if (string.IsNullOrEmpty(full))
            throw new ContainerSdkException(Codes.InputNotFound, $"{what} has an empty Include.", projectFile);
        string trimmed = full.TrimEnd('/', Path.DirectorySeparatorChar);
        return trimmed.Length == 0 ? full[..1] : trimmed;
    }

    private static string? Metadata(ITaskItem item, string name)
    {
        string value = item.GetMetadata(name);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>
    /// A list under its name (ExcludeFiles, RemovePaths), else under its old one (Exclude, Remove: MSBuild's own item
    /// attributes, still read as metadata elements; <see cref="MetadataWarnings"/> says to rename them).
    /// </summary>
    private static IReadOnlyList<string> RenamedList(ITaskItem item, string name)
    {
        if (!string.IsNullOrWhiteSpace(item.GetMetadata(name))) return SplitList(item, name);
        string old = ItemMetadata.Renamed.First(r => r.Value == name).Key;
        return SplitList(item, old);
    }

    /// <summary>
    /// The warnings about an item's metadata names (<see cref="ItemMetadata.Check"/>): a name the SDK does not read, or
    /// an old one. MSBuild's MetadataNames holds the well-known names too; a name set to nothing is as if absent.
    /// </summary>
    public static IReadOnlyList<(string Code, string Message)> MetadataWarnings(string itemType, ITaskItem item)
    {
        var names = item.MetadataNames.Cast<string>().Where(n => !string.IsNullOrWhiteSpace(item.GetMetadata(n))).ToList();
        return ItemMetadata.Check(itemType, item.ItemSpec, names);
    }

    /// <summary>
    /// A ';'-separated metadata list. Split on the escaped value so that a user can write %3B for a literal ';'
    /// inside one entry (MSBuild's own escape), then unescape each entry.
    /// </summary>
    internal static IReadOnlyList<string> SplitList(ITaskItem item, string name)
    {
        string raw = item is ITaskItem2 escaped ? escaped.GetMetadataValueEscaped(name) : item.GetMetadata(name);
        return raw.Split(';')
            .Select(part => Unescape(part).Trim())
            .Where(part => part.Length > 0)
            .ToList();
    }

    /// <summary>MSBuild's escaping: each %XX (two hex digits) is one character.</summary>
    private static string Unescape(string text)
    {
        if (!text.Contains('%')) return text;
        var sb = new System.Text.StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length
                && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
            {
                sb.Append((char)Convert.ToInt32(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else sb.Append(text[i]);
        }
        return sb.ToString();
    }
}
