namespace ContainerSdk.Core.Inputs;

/// <summary>
/// A <c>BaseLayer</c> or <c>Module</c> item once <see cref="LayerInputs.Validate(LayerInput)"/> checked it: every value
/// trimmed, defaulted and in the form the steps use (image paths as tar keys, owner ids as numbers), so that no later
/// step checks or parses the item's text again. The engine's layer step takes only these.
/// </summary>
internal sealed record LayerRequest
{
    /// <summary>The item as the user wrote it, for messages and history.</summary>
    public required string ItemSpec { get; init; }
    public required LayerKind Kind { get; init; }

    /// <summary>"BaseLayer" or "Module": the item type, for messages and for finding the item in the project.</summary>
    public string ItemType => Kind == LayerKind.Base ? "BaseLayer" : "Module";

    /// <summary>Full path of the directory or file the item names, or an address as written (<see cref="Oci.ImageAddress"/>).</summary>
    public required string SourcePath { get; init; }

    /// <summary>Whether <see cref="SourcePath"/> is an address (<see cref="Oci.ImageAddress"/>), not a path that exists.</summary>
    public bool IsAddress { get; init; }

    /// <summary>The TargetPath as written, trimmed ("/" when none): where a modulefile's prefix moves to.</summary>
    public string TargetPath { get; init; } = LayerInputs.DefaultTargetPath;

    /// <summary>The TargetPath as a tar key ("/opt/x/" is "opt/x", "/" is ""): where the source's root lands.</summary>
    public string TargetKey { get; init; } = "";

    /// <summary>uid or user name, or null (0 for directories, as recorded for tarballs); <see cref="OwnerId"/> when a number.</summary>
    public string? Owner { get; init; }
    public long? OwnerId { get; init; }
    public string? Group { get; init; }
    public long? GroupId { get; init; }

    public IReadOnlyList<string> Exclude { get; init; } = Array.Empty<string>();

    /// <summary><c>NAME=value</c> pairs (checked); <c>$NAME</c>/<c>${NAME}</c> expand against the layers below when the config is written.</summary>
    public IReadOnlyList<string> Environment { get; init; } = Array.Empty<string>();

    /// <summary>The Remove entries as tar keys: the image paths this layer deletes from the layers below (OCI whiteouts).</summary>
    public IReadOnlyList<string> RemoveKeys { get; init; } = Array.Empty<string>();

    public string? Version { get; init; }
    public string? License { get; init; }

    /// <summary>Registry hosts (or host/namespace prefixes) this layer may be pushed to; empty: any. The built layer carries them to publishing.</summary>
    public IReadOnlyList<string> AllowedRegistries { get; init; } = Array.Empty<string>();

    /// <summary>Full path of the module's modulefile (it exists), or null.</summary>
    public string? ModuleFile { get; init; }

    /// <summary>The absolute install prefix the modulefile was written for, or null for the file's own root.</summary>
    public string? ModulePrefix { get; init; }

    /// <summary>Tag to pick when the source is an image whose index holds several.</summary>
    public string? Reference { get; init; }
}
