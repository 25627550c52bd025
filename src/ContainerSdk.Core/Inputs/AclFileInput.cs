namespace ContainerSdk.Core.Inputs;

/// <summary>An <c>AclFile</c> item: a getfacl -R dump whose relative "# file:" paths start at <see cref="Root"/>.</summary>
public sealed record AclFileInput(string Path, string Root = "/");
