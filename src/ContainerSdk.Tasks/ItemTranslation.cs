using System.Globalization;
using ContainerSdk.Core.Build;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using Microsoft.Build.Framework;

namespace ContainerSdk.Tasks;

/// <summary>
/// Items and properties, as MSBuild hands them to the tasks, turned into the engine's records. Pure functions of
/// their arguments (plus File.Exists for inputs) so they can be tested without MSBuild. Syntax errors in metadata
/// and properties point at the project file: that is where the user wrote them.
/// </summary>
public static class ItemTranslation
{
    public static LayerInput ToLayerInput(ITaskItem item, LayerKind kind, string projectFile)
    {
        string what = kind == LayerKind.Base ? "BaseLayer" : "Module";
        string source = FullPathOf(item, what, projectFile);
        if (!File.Exists(source) && !Directory.Exists(source))
            throw new ContainerSdkException(Codes.InputNotFound,
                $"{what} '{item.ItemSpec}' does not exist: no file or directory at '{source}'.", projectFile);

        string targetPath = Metadata(item, "TargetPath") ?? "/";
        if (kind == LayerKind.Module)
            RequireAbsoluteImagePath(targetPath, $"{what} '{item.ItemSpec}' has TargetPath '{targetPath}'", Codes.InvalidTargetPath, projectFile);
        else if (targetPath != "/")
            throw new ContainerSdkException(Codes.InvalidTargetPath,
                $"BaseLayer '{item.ItemSpec}' has TargetPath '{targetPath}': a base layer always lands at '/'. Use a Module to place content elsewhere.", projectFile);

        var remove = SplitList(item, "Remove");
        foreach (var path in remove)
            RequireAbsoluteImagePath(path, $"{what} '{item.ItemSpec}' has Remove entry '{path}'", Codes.InvalidRemove, projectFile);

        var environment = SplitList(item, "Environment");
        foreach (var pair in environment)
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0 || !IsEnvironmentName(pair.AsSpan(0, eq)))
                throw new ContainerSdkException(Codes.InvalidEnvironment,
                    $"{what} '{item.ItemSpec}' has Environment entry '{pair}': expected NAME=value, NAME made of letters, digits and '_' (not starting with a digit).", projectFile);
        }

        return new LayerInput
        {
            ItemSpec = item.ItemSpec,
            Kind = kind,
            SourcePath = source,
            TargetPath = targetPath,
            Owner = Metadata(item, "Owner"),
            Group = Metadata(item, "Group"),
            Exclude = SplitList(item, "Exclude"),
            Environment = environment,
            Remove = remove,
            Version = Metadata(item, "Version"),
            License = Metadata(item, "License"),
            // Relative to the project, as Include is.
            ModuleFile = Metadata(item, "ModuleFile") is { } moduleFile ? Path.GetFullPath(moduleFile, Path.GetDirectoryName(projectFile)!) : null,
            ModulePrefix = Metadata(item, "ModulePrefix"),
            Reference = Metadata(item, "Reference"),
        };
    }

    public static AclFileInput ToAclFileInput(ITaskItem item, string projectFile)
    {
        string path = FullPathOf(item, "AclFile", projectFile);
        if (!File.Exists(path))
            throw new ContainerSdkException(Codes.InputNotFound, $"AclFile '{item.ItemSpec}' does not exist: no file at '{path}'.", projectFile);
        string root = Metadata(item, "Root") ?? "/";
        RequireAbsoluteImagePath(root, $"AclFile '{item.ItemSpec}' has Root '{root}'", Codes.InvalidTargetPath, projectFile);
        return new AclFileInput(path, root);
    }

    public static LayerCompression ParseCompression(string? value, string projectFile) =>
        (value ?? "").Trim().ToLowerInvariant() switch
        {
            "gzip" or "" => LayerCompression.Gzip,
            "zstd" => LayerCompression.Zstd,
            "none" => LayerCompression.None,
            _ => throw new ContainerSdkException(Codes.InvalidCompression,
                $"ContainerLayerCompression is '{value}': expected gzip, zstd or none.", projectFile),
        };

    /// <summary>Seconds since 1970-01-01 UTC, as SOURCE_DATE_EPOCH (reproducible-builds.org) defines it.</summary>
    public static long ParseEpoch(string? value, string projectFile)
    {
        string text = (value ?? "").Trim();
        if (text.Length == 0) return 0;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long epoch) || epoch > 253402300799)
            throw new ContainerSdkException(Codes.InvalidEpoch,
                $"ContainerSourceDateEpoch is '{value}': expected a whole number of seconds since 1970-01-01 UTC (SOURCE_DATE_EPOCH), such as 1700000000.", projectFile);
        return epoch;
    }

    public static string ParsePlatform(string? value, string projectFile)
    {
        try
        {
            return Platform.Parse((value ?? "").Trim()).ToString();
        }
        catch (FormatException ex)
        {
            throw new ContainerSdkException(Codes.InvalidProperty, $"ContainerPlatform: {ex.Message}", projectFile);
        }
    }

    /// <summary>The engine's grammar check (ImageReference), reported at the project file.</summary>
    public static string ValidateRepository(string? value, string projectFile)
    {
        string repository = (value ?? "").Trim();
        AtProject(() => ImageReference.ValidateRepository(repository), projectFile);
        return repository;
    }

    public static IReadOnlyList<string> ValidateTags(IEnumerable<string>? tags, string projectFile)
    {
        var result = new List<string>();
        foreach (var raw in tags ?? Array.Empty<string>())
        {
            string tag = raw.Trim();
            if (tag.Length == 0) continue;
            AtProject(() => ImageReference.ValidateTag(tag), projectFile);
            if (!result.Contains(tag, StringComparer.Ordinal)) result.Add(tag);
        }
        if (result.Count == 0)
            throw new ContainerSdkException(Codes.InvalidTag, "No image tag: set ContainerImageTag or ContainerImageTags (the default is 'latest').", projectFile);
        return result;
    }

    private static void AtProject(Action check, string projectFile)
    {
        try { check(); }
        catch (ContainerSdkException e) when (e.File is null) { throw new ContainerSdkException(e.Code, e.Message, projectFile, inner: e); }
    }

    /// <summary>ContainerEnvironmentVariable / ContainerLabel: the item's name and its Value metadata, in item order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ToPairs(IEnumerable<ITaskItem>? items, string itemType, string projectFile)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var item in items ?? Array.Empty<ITaskItem>())
        {
            if (itemType == "ContainerEnvironmentVariable" && !IsEnvironmentName(item.ItemSpec.AsSpan()))
                throw new ContainerSdkException(Codes.InvalidEnvironment,
                    $"ContainerEnvironmentVariable '{item.ItemSpec}' is not a variable name: letters, digits and '_', not starting with a digit.", projectFile);
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
            string spec = item.ItemSpec.Trim();
            string type = Metadata(item, "Type") ?? "tcp";
            int slash = spec.IndexOf('/');
            if (slash >= 0)
            {
                type = spec[(slash + 1)..];
                spec = spec[..slash];
            }
            type = type.Trim().ToLowerInvariant();
            if (!int.TryParse(spec, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number is < 1 or > 65535 || type is not ("tcp" or "udp"))
                throw new ContainerSdkException(Codes.InvalidProperty,
                    $"ContainerPort '{item.ItemSpec}' (Type '{type}') is not valid: expected a port number 1-65535 and Type tcp or udp.", projectFile);
            string key = $"{number}/{type}";
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

    private static void RequireAbsoluteImagePath(string path, string what, string code, string projectFile)
    {
        if (!path.StartsWith('/') || path.Contains('\0') || path.Split('/').Any(p => p == ".."))
            throw new ContainerSdkException(code, $"{what}: expected an absolute image path such as '/opt/tool', without '..'.", projectFile);
    }

    private static bool IsEnvironmentName(ReadOnlySpan<char> name) => EnvironmentComposer.IsName(name.ToString());

    private static string? Metadata(ITaskItem item, string name)
    {
        string value = item.GetMetadata(name);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
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
