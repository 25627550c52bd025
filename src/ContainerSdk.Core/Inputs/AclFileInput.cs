namespace ContainerSdk.Core.Inputs;

/// <summary>
/// An <c>AclFile</c> item as written: a getfacl -R dump whose relative "# file:" paths start at <see cref="Root"/>
/// (null or blank: <see cref="LayerInputs.DefaultTargetPath"/>). <see cref="LayerInputs.Validate(AclFileInput)"/> makes it an <see cref="AclFileRequest"/>.
/// </summary>
internal sealed record AclFileInput(string Path, string? Root = null)
{
    /// <summary>The item as the user wrote it, for messages; null: the path.</summary>
    public string? ItemSpec { get; init; }
}

/// <summary>An <c>AclFile</c> item once checked: the dump exists, <see cref="Root"/> is an absolute image path.</summary>
internal sealed record AclFileRequest(string Path, string Root);
