using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Modules;

/// <summary>
/// A Module item's modulefile as the image holds it: at <c>&lt;ContainerModulePath&gt;/&lt;name&gt;/&lt;version&gt;[.lua]</c>,
/// with its install prefix (the file's <c>root</c>, else the item's <c>ModulePrefix</c>) moved to the item's
/// <c>TargetPath</c>. The layer step prepares it (reads, checks and moves the text; the layer holds those bytes); the
/// image step evaluates the same text against the environment of the layers below, so the file <c>module load</c>
/// reads in the container and the config's environment cannot disagree.
/// </summary>
internal sealed record InstalledModuleFile
{
    /// <summary>The user's file: it names the module and is where errors point (lines are kept by the move).</summary>
    public required string SourcePath { get; init; }

    /// <summary>Absolute image path of the installed file.</summary>
    public required string ImagePath { get; init; }

    /// <summary>The installed text: the source's, with the prefix moved.</summary>
    public required string Text { get; init; }

    /// <summary>The prefix the file was written for; null when it has no root and the item gives no ModulePrefix.</summary>
    public string? FromPrefix { get; init; }

    /// <summary>The module's TargetPath.</summary>
    public required string ToPrefix { get; init; }

    /// <summary>The folder the file is installed under (ContainerModulePath, as given to <see cref="Prepare"/>): what MODULEPATH needs.</summary>
    public required string ModulePath { get; init; }

    /// <summary>
    /// The site's SitePackage.lua (ContainerLmodSitePackage) the file was read with, or null. Kept with the file (so
    /// in layers.state): a changed site package changes what the image step reads, and so runs it again.
    /// </summary>
    public LmodSitePackage? SitePackage { get; init; }

    /// <param name="modulePrefix">The item's ModulePrefix (checked by <c>LayerInputs.Validate</c>), or null for the file's root.</param>
    /// <param name="modulePath">ContainerModulePath, as <c>Properties.ModulePath</c> gives it.</param>
    /// <param name="sitePackage">ContainerLmodSitePackage, read; null for none.</param>
    public static InstalledModuleFile Prepare(string sourcePath, string? modulePrefix, string targetPath, string modulePath, LmodSitePackage? sitePackage = null)
    {
        sourcePath = Path.GetFullPath(sourcePath);
        var text = ModuleFile.ReadText(sourcePath);
        var (language, name, version) = ModuleFile.Naming(sourcePath);
        var imagePath = $"{modulePath.TrimEnd('/')}/{name}/{ModuleFile.InstalledName(language, version)}";
        var from = string.IsNullOrEmpty(modulePrefix) ? ModuleFile.FindRoot(text, sourcePath, sitePackage, imagePath) : modulePrefix;
        return new InstalledModuleFile
        {
            SourcePath = sourcePath,
            ImagePath = imagePath,
            Text = from is null ? text : PrefixRewriter.Rewrite(text, from, targetPath),
            FromPrefix = from,
            ToPrefix = targetPath,
            ModulePath = modulePath,
            SitePackage = sitePackage,
        };
    }

    /// <summary>
    /// The installed file read as <c>module load</c> reads it in the image: over <paramref name="environment"/> (the
    /// layers below), from where it is installed (myFileName), with <paramref name="available"/> the modules
    /// <c>isAvail</c> finds (the image's Module items, by name and name/version).
    /// </summary>
    public ModuleFile Evaluate(IEnumerable<string> environment, IReadOnlySet<string>? available = null)
        => ModuleFile.Parse(Text, SourcePath, environment,
            FromPrefix is null ? null : recorded => ModuleFile.UnmovedPaths(recorded.Operations, FromPrefix, ToPrefix),
            SitePackage, ImagePath, available);
}
