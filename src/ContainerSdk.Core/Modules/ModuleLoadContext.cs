namespace ContainerSdk.Core.Modules;

/// <summary>
/// What Lmod knows about one <c>module load</c> beyond the file's text, for the helper functions a modulefile may
/// call: the module's name and version (its folder and file name), the path Lmod loads it from (<c>myFileName</c>,
/// <c>hierarchyA</c>: in an image, where it is installed), the modules that <c>isAvail</c> finds, and the site's
/// SitePackage.lua, whose registered functions a modulefile can call. The shell is the image's login shell, bash.
/// </summary>
internal sealed record ModuleLoadContext(string Name, string Version, string LoadPath)
{
    public const string ShellName = "bash";
    public const string ShellType = "sh";

    /// <summary>The site's SitePackage.lua (ContainerLmodSitePackage), or null.</summary>
    public LmodSitePackage? SitePackage { get; init; }

    /// <summary>Names and name/versions of the modules installed with the image; null when not known yet (nothing is).</summary>
    public IReadOnlySet<string>? Available { get; init; }

    /// <summary>
    /// Lmod's isAvail (Tcl's is-avail): whether <paramref name="module"/> (a name or name/version, as a user writes it,
    /// spaces and a trailing '/' aside) is installed with the image. One place for both readers.
    /// </summary>
    public bool IsAvailable(string module) => Available is { } available && available.Contains(module.Trim().TrimEnd('/'));
}

/// <summary>The site's SitePackage.lua (ContainerLmodSitePackage): its path (where its errors point) and its text.</summary>
internal sealed record LmodSitePackage(string Path, string Text)
{
    /// <summary>Reads the file (UTF-8, at most <see cref="ModuleFile.MaxLength"/> bytes), as a modulefile is read.</summary>
    public static LmodSitePackage Read(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        return new LmodSitePackage(path, ModuleFile.ReadText(path));
    }
}
