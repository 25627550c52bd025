using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Inputs;

/// <summary>
/// The rules of a <c>BaseLayer</c>/<c>Module</c>/<c>AclFile</c> item, in one place: the task fills a <see cref="LayerInput"/>
/// with the item's text and has it checked here, once; the <see cref="LayerRequest"/> it gets back is all the engine
/// takes. Errors name the item; the task reports them at its line.
/// </summary>
internal static class LayerInputs
{
    public static ContainerSdkException NoLayers() =>
        new(Codes.NoLayers, "The project has no BaseLayer and no Module item: an image needs at least one layer.");

    /// <summary>A layer's TargetPath and an AclFile's Root when the item sets none: the image's root.</summary>
    public const string DefaultTargetPath = "/";

    /// <summary>
    /// Checks one item once and gives it the form every later step reads: its source exists (or is an address), its
    /// TargetPath, Remove and Environment entries are well formed, its ModuleFile exists and its ModulePrefix is
    /// absolute. An error names the item (<see cref="ContainerSdkException.About"/>).
    /// </summary>
    public static LayerRequest Validate(LayerInput input)
    {
        try { return Check(input); }
        catch (ContainerSdkException e) when (e.File is null) { throw e.About(input.ItemType, input.ItemSpec); }
    }

    private static LayerRequest Check(LayerInput input)
    {
        string what = $"{input.ItemType} '{input.ItemSpec}'";
        bool isAddress = ImageAddress.IsAddress(input.SourcePath);
        if (!isAddress && !File.Exists(input.SourcePath) && !Directory.Exists(input.SourcePath))
            throw new ContainerSdkException(Codes.InputNotFound, $"{what} does not exist: no file or directory at '{input.SourcePath}'.");

        string targetPath = string.IsNullOrWhiteSpace(input.TargetPath) ? DefaultTargetPath : input.TargetPath.Trim();
        if (input.Kind == LayerKind.Base && targetPath != DefaultTargetPath)
            throw new ContainerSdkException(Codes.InvalidTargetPath,
                $"{what} has TargetPath '{targetPath}': a base layer always lands at '/'. Use a Module to place content elsewhere.");
        string targetKey = TargetKey(targetPath, input.ItemSpec);

        var removeKeys = input.Remove.Select(r => r.Trim()).Where(r => r.Length > 0).Select(r => RemoveKey(r, input.ItemSpec)).ToArray();

        foreach (var pair in input.Environment)
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0 || !EnvironmentNames.IsName(pair[..eq]))
                throw new ContainerSdkException(Codes.InvalidEnvironment,
                    $"{what} has Environment entry '{pair}': expected NAME=value, NAME made of letters, digits and '_' (not starting with a digit).");
        }
        string? modulePrefix = string.IsNullOrWhiteSpace(input.ModulePrefix) ? null : input.ModulePrefix.Trim();
        if (!string.IsNullOrEmpty(input.ModuleFile) && !File.Exists(input.ModuleFile))
            throw new ContainerSdkException(Codes.InputNotFound, $"{what} has ModuleFile '{input.ModuleFile}', which does not exist.");
        if (modulePrefix is not null && (modulePrefix[0] != '/' || modulePrefix.Split('/').Contains("..") || modulePrefix.Contains('\0')))
            throw new ContainerSdkException(Codes.InvalidModulePrefix,
                $"{what} has ModulePrefix '{input.ModulePrefix}': expected the absolute path its ModuleFile was written for, such as /opt/spack/opt/spack/linux-x86_64/gcc-12/zlib-1.3-abcdef.");
        return new LayerRequest
        {
            ItemSpec = input.ItemSpec,
            Kind = input.Kind,
            SourcePath = input.SourcePath,
            IsAddress = isAddress,
            TargetPath = targetPath,
            TargetKey = targetKey,
            Owner = input.Owner,
            OwnerId = NumericId(input.Owner),
            Group = input.Group,
            GroupId = NumericId(input.Group),
            Exclude = input.Exclude,
            Environment = input.Environment,
            RemoveKeys = removeKeys,
            Version = input.Version,
            License = input.License,
            AllowedRegistries = input.AllowedRegistries,
            ModuleFile = string.IsNullOrEmpty(input.ModuleFile) ? null : input.ModuleFile,
            ModulePrefix = modulePrefix,
            Reference = input.Reference,
        };
    }

    /// <summary>An Owner or Group given as a number (a uid or gid); null for a name, resolved in the image's accounts.</summary>
    private static long? NumericId(string? value) => long.TryParse(value, out var id) && id >= 0 ? id : null;

    /// <summary>"/opt/x/" gives "opt/x": the path must be absolute and stay inside the image.</summary>
    private static string TargetKey(string targetPath, string itemSpec)
    {
        if (string.IsNullOrWhiteSpace(targetPath) || targetPath[0] != '/' || targetPath.Contains('\0'))
            throw new ContainerSdkException(Codes.InvalidTargetPath, $"TargetPath '{targetPath}' of '{itemSpec}' must be an absolute image path, such as /opt/suite.");
        string key = TarPath.Normalize(targetPath);
        if (key.Split('/').Any(p => p == ".."))
            throw new ContainerSdkException(Codes.InvalidTargetPath, $"TargetPath '{targetPath}' of '{itemSpec}' must not contain '..'.");
        return key;
    }

    /// <summary>A Remove entry's image path: absolute, not '/' itself (that would empty the image), without '..'.</summary>
    private static string RemoveKey(string path, string itemSpec)
    {
        string trimmed = path.Trim();
        string key = TarPath.Normalize(trimmed);
        if (trimmed.Length == 0 || trimmed[0] != '/' || trimmed.Contains('\0') || key.Length == 0 || key.Split('/').Any(p => p == ".."))
            throw new ContainerSdkException(Codes.InvalidRemove, $"RemovePaths entry '{path}' of '{itemSpec}' must be an absolute image path other than '/', without '..'.");
        return key;
    }

    /// <summary>An <c>AclFile</c> item: the dump exists, its Root (<see cref="DefaultTargetPath"/> when none) is an absolute image path.</summary>
    public static AclFileRequest Validate(AclFileInput input)
    {
        if (!File.Exists(input.Path))
            throw new ContainerSdkException(Codes.InputNotFound, $"AclFile '{input.ItemSpec ?? input.Path}' does not exist: no file at '{input.Path}'.");
        string root = string.IsNullOrWhiteSpace(input.Root) ? DefaultTargetPath : input.Root;
        TargetKey(root, input.ItemSpec ?? input.Path);
        return new AclFileRequest(input.Path, root);
    }
}
