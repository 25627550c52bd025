using System.Globalization;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Blobs;

namespace ContainerSdk.Core.Inputs;

/// <summary>
/// The project's properties, parsed, checked and defaulted here once: the tasks pass the text as MSBuild gives it. An
/// error names the property; the task reports it at the project file.
/// </summary>
internal static class Properties
{
    /// <summary>ContainerPlatform when none is set.</summary>
    public const string DefaultPlatform = "linux/amd64";

    /// <summary>ContainerArchiveFormat when none is set: an oci-archive.</summary>
    public const string DefaultArchiveFormat = "oci";

    /// <summary>ContainerModulePath when none is set: where modulefiles are installed in the image.</summary>
    public const string DefaultModulePath = "/opt/modulefiles";

    /// <summary>ContainerImageTag when none is set.</summary>
    public const string DefaultTag = "latest";

    /// <summary>ContainerPlatform, parsed ("os/arch[/variant]"); blank is <see cref="DefaultPlatform"/>.</summary>
    public static Oci.Platform Platform(string? value)
    {
        try { return Oci.Platform.Parse(string.IsNullOrWhiteSpace(value) ? DefaultPlatform : value.Trim()); }
        catch (FormatException e) { throw new ContainerSdkException(Codes.InvalidProperty, $"ContainerPlatform: {e.Message}"); }
    }

    public static LayerCompression Compression(string? value) =>
        (value ?? "").Trim().ToLowerInvariant() switch
        {
            "gzip" or "" => LayerCompression.Gzip,
            "zstd" => LayerCompression.Zstd,
            "none" => LayerCompression.None,
            _ => throw new ContainerSdkException(Codes.InvalidCompression, $"ContainerLayerCompression is '{value}': expected gzip, zstd or none."),
        };

    /// <summary>ContainerLayerCompressionLevel: default (blank), fastest or smallest, in any case.</summary>
    public static LayerCompressionLevel CompressionLevel(string? value) =>
        (value ?? "").Trim().ToLowerInvariant() switch
        {
            "default" or "" => LayerCompressionLevel.Default,
            "fastest" => LayerCompressionLevel.Fastest,
            "smallest" => LayerCompressionLevel.Smallest,
            _ => throw new ContainerSdkException(Codes.InvalidCompressionLevel,
                $"ContainerLayerCompressionLevel is '{value}': expected default (the image's digests as before), fastest (about a third less deflate time, 1-3% larger layers) or smallest."),
        };

    /// <summary>ContainerSquashfsAclPolicy: narrow (the default) or error, in any case.</summary>
    public static SquashfsAclPolicy SquashfsAclPolicy(string? value) =>
        (value ?? "").Trim().ToLowerInvariant() switch
        {
            "narrow" or "" => Inputs.SquashfsAclPolicy.Narrow,
            "error" => Inputs.SquashfsAclPolicy.Error,
            _ => throw new ContainerSdkException(Codes.InvalidProperty,
                $"ContainerSquashfsAclPolicy is '{value}': expected narrow (owner, group and mode never grant more than the ACLs; the default) or error."),
        };

    /// <summary>ContainerSquashfsCompression: gzip (the default), zstd or xz, in any case.</summary>
    public static SquashfsImageCompression SquashfsCompression(string? value) =>
        (value ?? "").Trim().ToLowerInvariant() switch
        {
            "gzip" or "" => SquashfsImageCompression.Gzip,
            "zstd" => SquashfsImageCompression.Zstd,
            "xz" => SquashfsImageCompression.Xz,
            _ => throw new ContainerSdkException(Codes.InvalidProperty,
                $"ContainerSquashfsCompression is '{value}': expected gzip (the default; every kernel and squashfuse reads it), zstd or xz."),
        };

    /// <summary>ContainerSourceDateEpoch: seconds since 1970-01-01 UTC, as SOURCE_DATE_EPOCH (reproducible-builds.org) defines it.</summary>
    public static long Epoch(string? value)
    {
        string text = (value ?? "").Trim();
        if (text.Length == 0) return 0;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long epoch) || epoch > 253402300799)
            throw new ContainerSdkException(Codes.InvalidEpoch,
                $"ContainerSourceDateEpoch is '{value}': expected a whole number of seconds since 1970-01-01 UTC (SOURCE_DATE_EPOCH), such as 1700000000.");
        return epoch;
    }

    /// <summary>
    /// ContainerLayerSplitSize when none is set: 256 MiB, by bench/ (bench/README.md, "Split modules"): on a 2 GiB module
    /// one changed small file cost 0.15x of the cold build at 256 MiB against 0.23x at 512 MiB and 0.74x unsplit (one byte
    /// of a 448 MiB file: 0.34x, 0.45x, 0.77x), in 9 parts. Smaller parts cost more layers for little more saved, and the
    /// 100-layer cap grows the parts of very large modules anyway.
    /// </summary>
    public const long DefaultLayerSplitSize = 256L << 20;

    /// <summary>ContainerLayerSplitSize: a size (<see cref="TryParseSize"/>); 0 turns splitting off; blank is <see cref="DefaultLayerSplitSize"/>.</summary>
    public static long LayerSplitSize(string? value)
    {
        string text = (value ?? "").Trim();
        if (text.Length == 0) return DefaultLayerSplitSize;
        if (TryParseSize(text, out long size)) return size;
        throw new ContainerSdkException(Codes.InvalidLayerSplitSize,
            $"ContainerLayerSplitSize is '{value}': expected a size such as 512MiB, 2GiB or 268435456 (bytes), or 0 to keep each module one layer.");
    }

    /// <summary>ContainerRegistryTimeout when none is set, in seconds: a silent registry or token server is given up within
    /// about a minute in all (three such waits per operation).</summary>
    public const int DefaultRegistryTimeout = 20;

    /// <summary>ContainerRegistryTimeout: how long one registry request may wait without an answer, in whole seconds (1 to 3600).</summary>
    public static TimeSpan RegistryTimeout(string? value)
    {
        string text = (value ?? "").Trim();
        if (text.Length == 0) return TimeSpan.FromSeconds(DefaultRegistryTimeout);
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) || seconds is < 1 or > 3600)
            throw new ContainerSdkException(Codes.InvalidProperty,
                $"ContainerRegistryTimeout is '{value}': expected how many seconds one registry request may wait without an answer, a whole number from 1 to 3600 (default {DefaultRegistryTimeout}).");
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>
    /// ContainerCacheMaxSize: how many bytes of older blobs the folder cache keeps beyond what the current build uses, a
    /// size (<see cref="TryParseSize"/>). Blank: null, the current image's size (known only once its layers are built).
    /// </summary>
    public static long? CacheMaxSize(string? value)
    {
        string text = (value ?? "").Trim();
        if (text.Length == 0) return null;
        if (TryParseSize(text, out long size)) return size;
        throw new ContainerSdkException(Codes.InvalidCacheMaxSize,
            $"ContainerCacheMaxSize is '{value}': expected a size such as 2GiB, 500MB or 1073741824 (bytes); blank keeps as much as the current image's size.");
    }

    /// <summary>
    /// The one grammar of the size properties: bytes, or a number with a unit, any case: <c>K</c>/<c>KiB</c>,
    /// <c>M</c>/<c>MiB</c>, <c>G</c>/<c>GiB</c>, <c>T</c>/<c>TiB</c> in powers of 1024 (as <c>du -h</c> means them),
    /// <c>KB</c>, <c>MB</c>, <c>GB</c>, <c>TB</c> in powers of 1000 (as disks are sold); a fraction only with a unit.
    /// </summary>
    internal static bool TryParseSize(string text, out long size)
    {
        size = 0;
        int unitAt = text.Length;
        while (unitAt > 0 && char.IsAsciiLetter(text[unitAt - 1])) unitAt--;
        string number = text[..unitAt].TrimEnd(), unit = text[unitAt..].ToLowerInvariant();
        long? multiplier = unit switch
        {
            "" or "b" => 1,
            "kib" or "k" => 1L << 10, "mib" or "m" => 1L << 20, "gib" or "g" => 1L << 30, "tib" or "t" => 1L << 40,
            "kb" => 1000, "mb" => 1000_000, "gb" => 1000_000_000, "tb" => 1000_000_000_000,
            _ => null,
        };
        if (multiplier is not { } m || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
            || amount * m > long.MaxValue || (m == 1 && decimal.Truncate(amount) != amount))
            return false;
        size = (long)decimal.Truncate(amount * m);
        return true;
    }

    /// <summary>ContainerRegistry: a registry host, "host[:port]".</summary>
    public static string Registry(string? value)
    {
        string registry = (value ?? "").Trim();
        if (!ImageReference.IsRegistryHost(registry))
            throw new ContainerSdkException(Codes.InvalidProperty, $"ContainerRegistry is '{value}': expected a registry host[:port], such as registry.example.org or 127.0.0.1:5000.");
        return registry;
    }

    /// <summary>ContainerModulePath: an absolute image path without '..' or ':' (it goes into MODULEPATH); blank is <see cref="DefaultModulePath"/>.</summary>
    public static string ModulePath(string? value)
    {
        string path = (value ?? "").Trim();
        if (path.Length == 0) return DefaultModulePath;
        if (path[0] != '/' || path.Split('/').Contains("..") || path.Contains(':') || path.Contains('\0'))
            throw new ContainerSdkException(Codes.InvalidProperty,
                $"ContainerModulePath is '{value}': expected an absolute image path without '..' or ':', such as {DefaultModulePath}.");
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    /// <summary>
    /// ContainerLmodSitePackage: the site's SitePackage.lua, relative to the project folder; null when blank. It must be
    /// a file: a modulefile that calls its functions cannot be read without it.
    /// </summary>
    public static string? LmodSitePackage(string? value, string projectDirectory)
    {
        var text = (value ?? "").Trim();
        if (text.Length == 0) return null;
        var path = Path.GetFullPath(text, projectDirectory);
        if (!File.Exists(path))
            throw new ContainerSdkException(Codes.InvalidLmodSitePackage,
                $"ContainerLmodSitePackage is '{value}', but '{path}' is not a file: give the site's SitePackage.lua (the one its LMOD_PACKAGE_PATH names), or leave it empty.");
        return path;
    }

    /// <summary>ContainerRepository, checked against the reference grammar.</summary>
    public static string Repository(string? value)
    {
        string repository = (value ?? "").Trim();
        ImageReference.ValidateRepository(repository);
        return repository;
    }

    /// <summary>ContainerImageTag(s): trimmed, blanks dropped, each checked, duplicates dropped; at least one.</summary>
    public static IReadOnlyList<string> Tags(IEnumerable<string>? tags)
    {
        var result = new List<string>();
        foreach (var raw in tags ?? Array.Empty<string>())
        {
            string tag = raw.Trim();
            if (tag.Length == 0) continue;
            ImageReference.ValidateTag(tag);
            if (!result.Contains(tag, StringComparer.Ordinal)) result.Add(tag);
        }
        if (result.Count == 0)
            throw new ContainerSdkException(Codes.InvalidTag, $"No image tag: set ContainerImageTag or ContainerImageTags (the default is '{DefaultTag}').");
        return result;
    }

    /// <summary>A ContainerPort as an OCI ExposedPorts key ("8080/tcp"); the Include may carry the type ("53/udp").</summary>
    public static string Port(string include, string? type)
    {
        string spec = include.Trim();
        type = string.IsNullOrWhiteSpace(type) ? "tcp" : type;
        int slash = spec.IndexOf('/');
        if (slash >= 0)
        {
            type = spec[(slash + 1)..];
            spec = spec[..slash];
        }
        type = type.Trim().ToLowerInvariant();
        if (!int.TryParse(spec, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number is < 1 or > 65535 || type is not ("tcp" or "udp"))
            throw new ContainerSdkException(Codes.InvalidProperty,
                $"ContainerPort '{include}' (Type '{type}') is not valid: expected a port number 1-65535 and Type tcp or udp.");
        return $"{number}/{type}";
    }

    /// <summary>A ContainerEnvironmentVariable name: letters, digits and '_', not starting with a digit.</summary>
    public static string EnvironmentVariableName(string name) =>
        EnvironmentNames.IsName(name) ? name
            : throw new ContainerSdkException(Codes.InvalidEnvironment,
                $"ContainerEnvironmentVariable '{name}' is not a variable name: letters, digits and '_', not starting with a digit.");
}
