namespace ContainerSdk.Core.Inputs;

internal enum LayerKind { Base, Module }

/// <summary>
/// One <c>BaseLayer</c> or <c>Module</c> item as written (the task copies the item's text in); nothing reads it but
/// <see cref="LayerInputs.Validate(LayerInput)"/>, whose <see cref="LayerRequest"/> is what the engine builds from.
/// </summary>
internal sealed record LayerInput
{
    /// <summary>The item as the user wrote it, for messages and history.</summary>
    public required string ItemSpec { get; init; }
    public required LayerKind Kind { get; init; }

    /// <summary>"BaseLayer" or "Module": the item type, for messages and for finding the item in the project.</summary>
    public string ItemType => Kind == LayerKind.Base ? "BaseLayer" : "Module";

    /// <summary>Full path of the directory or file the item names, or an address (<see cref="Oci.ImageAddress"/>) as written.</summary>
    public required string SourcePath { get; init; }

    /// <summary>Absolute image path where the source's root lands; null or blank: <see cref="LayerInputs.DefaultTargetPath"/>.</summary>
    public string? TargetPath { get; init; }

    /// <summary>uid or user name; null keeps the default (0 for directories, as recorded for tarballs).</summary>
    public string? Owner { get; init; }
    public string? Group { get; init; }

    public IReadOnlyList<string> Exclude { get; init; } = Array.Empty<string>();

    /// <summary>Raw <c>NAME=value</c> pairs; <c>$NAME</c>/<c>${NAME}</c> expand against the layers below when the config is written.</summary>
    public IReadOnlyList<string> Environment { get; init; } = Array.Empty<string>();

    /// <summary>Absolute image paths this layer deletes from the layers below (OCI whiteouts).</summary>
    public IReadOnlyList<string> Remove { get; init; } = Array.Empty<string>();

    public string? Version { get; init; }
    public string? License { get; init; }

    /// <summary>Registry hosts (or host/namespace prefixes) this layer may be pushed to, as a module's AllowedRegistries; empty: any.</summary>
    public IReadOnlyList<string> AllowedRegistries { get; init; } = Array.Empty<string>();

    /// <summary>Full path of the module's Lmod or Tcl modulefile (metadata ModuleFile), or null.</summary>
    public string? ModuleFile { get; init; }

    /// <summary>The install prefix the modulefile was written for, when it has no root (metadata ModulePrefix).</summary>
    public string? ModulePrefix { get; init; }

    /// <summary>Tag to pick when the source is an image whose index holds several.</summary>
    public string? Reference { get; init; }
}
