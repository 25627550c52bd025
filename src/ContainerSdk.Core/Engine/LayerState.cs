using System.Text.Json;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Engine;

/// <summary>
/// The built layers as the layers step hands them to the steps after it (image, publish): one file,
/// <c>layers.state</c>, a JSON array with one typed record per <see cref="BuiltLayer"/>, bottom layer first. It is
/// rewritten only when its text changes, so that it is the image step's MSBuild Input: MSBuild skips that step when no
/// layer changed. Where a blob came from on this build (built, cached, reused) is left out for that reason.
/// </summary>
internal static class LayerState
{
    public static void Write(string path, IReadOnlyList<BuiltLayer> layers)
    {
        string content = ToText(layers);
        if (File.Exists(path) && File.ReadAllText(path) == content) return;
        using var temp = new IO.TempFile(path);
        temp.WriteAllText(content);
        temp.Commit();
    }

    /// <summary>The file's text: a JSON array of <see cref="LayerStateEntry"/>.</summary>
    public static string ToText(IReadOnlyList<BuiltLayer> layers) => LayerStateJson.Write(layers);

    public static IReadOnlyList<BuiltLayer> Read(string path) => FromText(File.ReadAllText(path));

    public static IReadOnlyList<BuiltLayer> FromText(string json)
    {
        var entries = JsonSerializer.Deserialize(json, LayerStateJson.Default.LayerStateEntryArray) ?? Array.Empty<LayerStateEntry>();
        // The layers of one base image share one origin, whose config is then parsed once.
        var origins = new Dictionary<BaseImageEntry, ImageOrigin>();
        return entries.Select(e => new BuiltLayer
        {
            BlobPath = e.BlobPath,
            Remote = e.Remote,
            Descriptor = new Descriptor(e.MediaType, Digest.Parse(e.Digest), e.Size)
            {
                Annotations = e.Annotations is null ? null : new SortedDictionary<string, string>(e.Annotations, StringComparer.Ordinal),
            },
            DiffId = Digest.Parse(e.DiffId),
            ItemSpec = e.SourceItem,
            Kind = e.Kind,
            Environment = e.Environment,
            ModuleFile = e.ModuleFile,
            Version = e.Version,
            License = e.License,
            AllowedRegistries = e.AllowedRegistries,
            CreatedBy = e.CreatedBy,
            Part = e.Part,
            Parts = e.Parts,
            TargetPath = e.TargetPath,
            SourcePath = e.SourcePath,
            SourceSha256 = e.SourceSha256,
            FromImage = e.BaseImage is { } b ? origins.TryGetValue(b, out var known) ? known : origins[b] = new ImageOrigin(b.Config, b.Digest, b.Name) : null,
        }).ToList();
    }
}

/// <summary>One built layer in <c>layers.state</c>: the descriptor, the item that made it and what the image and publish steps read of it.</summary>
internal sealed record LayerStateEntry
{
    public required string BlobPath { get; init; }
    /// <summary>The registry repository holding the blob when the layers step left it there (<see cref="BuiltLayer.Remote"/>).</summary>
    public string? Remote { get; init; }
    public required string MediaType { get; init; }
    public required string Digest { get; init; }
    public long Size { get; init; }
    public Dictionary<string, string>? Annotations { get; init; }
    public required string DiffId { get; init; }
    public required string SourceItem { get; init; }
    public LayerKind Kind { get; init; }
    public string[] Environment { get; init; } = Array.Empty<string>();
    public Core.Modules.InstalledModuleFile? ModuleFile { get; init; }
    public string? Version { get; init; }
    public string? License { get; init; }
    public string[] AllowedRegistries { get; init; } = Array.Empty<string>();
    public required string CreatedBy { get; init; }
    public BaseImageEntry? BaseImage { get; init; }
    public int Part { get; init; }
    public int Parts { get; init; }
    public string TargetPath { get; init; } = "/";
    public string? SourcePath { get; init; }
    public string? SourceSha256 { get; init; }
}

/// <summary>A base image's layer: its config (the image step's starting config), digest and name.</summary>
internal sealed record BaseImageEntry(string Config, string? Digest, string? Name);
