using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Tar;
using ContainerSdk.Core.Inputs;

namespace ContainerSdk.Core.Layers;

/// <summary>Turns one item into its <see cref="LayerPlan"/>, given the plans of the layers below it.</summary>
internal static class LayerPlanner
{
    private const int DefaultDirectoryMode = 0x1ED; // 0755

    /// <summary>The plans one item adds to the stack: one for a folder or tarball; one per layer for an image.</summary>
    public static IReadOnlyList<LayerPlan> Plan(LayerRequest input, IReadOnlyList<LayerPlan> below, BuildContext context)
    {
        if (context.ImageSources.FirstOrDefault(k => k.Recognizes(input.SourcePath, input.ItemSpec)) is { } imageKind)
            return BaseImagePlanner.Plan(input, imageKind, below.Count, context);

        string rootKey = input.TargetKey;
        var options = context.Options;
        var source = new PlanSource(input.SourcePath, input.ItemSpec, rootKey, new PathGlob(input.Exclude, input.ItemSpec),
            input.OwnerId, input.GroupId, options.Epoch, input.ItemType);
        List<PlannedEntry> entries;
        byte[]? tarballHash = null;
        if (Directory.Exists(input.SourcePath))
            entries = DirectoryPlanner.Plan(source, context.Log, (path, identity) => context.StatCache.Metadata(path, identity, DiskMetadata.Read));
        else if (File.Exists(input.SourcePath))
            entries = TarballPlanner.Plan(source, tarballHash = context.HashFile(input.SourcePath), context);
        else if (input.IsAddress)
            throw new ContainerSdkException(Codes.UnsupportedInputFormat,
                $"'{input.ItemSpec}' is an address no image source reads (known: {string.Join(", ", context.ImageSources.Select(k => k.Name))}).");
        else
            throw new ContainerSdkException(Codes.InputNotFound, $"'{input.ItemSpec}' does not exist (looked for '{input.SourcePath}').");
        // The tarball's hash travels with the layer: the SBOM names a tarball base by it without reading the file again.
        var plan = new LayerPlan(input, below.Count, entries) { SourceSha256 = tarballHash is null ? null : Convert.ToHexString(tarballHash).ToLowerInvariant() };

        ApplyOwnerNames(plan, below, input);
        AddModuleFile(plan, input, options, context.Log);
        AddWhiteouts(plan, input, options.Epoch);
        AddParents(plan, below, rootKey, options.Epoch);
        return new[] { plan };
    }

    /// <summary>Owner and Group given as names resolve in the image's own accounts: the layers below plus this one.</summary>
    private static void ApplyOwnerNames(LayerPlan plan, IReadOnlyList<LayerPlan> below, LayerRequest input)
    {
        bool ownerIsName = !string.IsNullOrEmpty(input.Owner) && input.OwnerId is null;
        bool groupIsName = !string.IsNullOrEmpty(input.Group) && input.GroupId is null;
        if (!ownerIsName && !groupIsName) return;

        var accounts = ImageAccounts.Compose(below.Append(plan).ToList());
        uint uid = 0, gid = 0;
        if (ownerIsName && !accounts.TryResolveUser(input.Owner!, out uid))
            throw new ContainerSdkException(Codes.UnknownOwner, $"Owner '{input.Owner}' of '{input.ItemSpec}' is not a user of the image: looked in {accounts.DescribeSources()}.");
        if (groupIsName && !accounts.TryResolveGroup(input.Group!, out gid))
            throw new ContainerSdkException(Codes.UnknownOwner, $"Group '{input.Group}' of '{input.ItemSpec}' is not a group of the image: looked in {accounts.DescribeSources()}.");
        foreach (var entry in plan.Entries)
        {
            if (ownerIsName) entry.Header.Uid = uid;
            if (groupIsName) entry.Header.Gid = gid;
        }
    }

    /// <summary>
    /// ModuleFile metadata: the modulefile, its prefix moved to TargetPath, as a file of this layer (root's, 0644) at
    /// <c>&lt;ContainerModulePath&gt;/&lt;name&gt;/&lt;version&gt;</c>. Its bytes are part of the layer's fingerprint like
    /// any other entry's, so a changed modulefile rebuilds this layer.
    /// </summary>
    private static void AddModuleFile(LayerPlan plan, LayerRequest input, LayerBuildOptions options, IBuildLog log)
    {
        if (input.Kind != LayerKind.Module || input.ModuleFile is null) return;
        var sitePackage = options.LmodSitePackage is null ? null : Modules.LmodSitePackage.Read(options.LmodSitePackage);
        var installed = Modules.InstalledModuleFile.Prepare(input.ModuleFile, input.ModulePrefix, input.TargetPath, options.ModulePath, sitePackage);
        var bytes = System.Text.Encoding.UTF8.GetBytes(installed.Text);
        var header = new TarHeader { Name = TarPath.Normalize(installed.ImagePath), Type = TarEntryType.Regular, Mode = 0x1A4, Size = bytes.Length, ModificationTime = options.Epoch };
        if (plan.Find(header.Name) is not null)
            log.Warning(Codes.DuplicateEntry, $"Module '{input.ItemSpec}' has its own {installed.ImagePath}; its ModuleFile replaces it in the layer.");
        plan.Add(new PlannedEntry(header, new BytesContent(bytes)) { ContentHash = System.Security.Cryptography.SHA256.HashData(bytes) });
        plan.ModuleFile = installed;
    }

    /// <summary>Remove metadata: one OCI whiteout per path, deleting it (and everything below it) from the layers below.</summary>
    private static void AddWhiteouts(LayerPlan plan, LayerRequest input, long epoch)
    {
        foreach (var key in input.RemoveKeys)
        {
            string whiteout = TarPath.Join(TarPath.Parent(key)!, TarPath.WhiteoutPrefix + TarPath.BaseName(key));
            plan.Add(new PlannedEntry(new TarHeader { Name = whiteout, Type = TarEntryType.Regular, Mode = 0x1A4, ModificationTime = epoch }, EmptyContent.Instance));
        }
    }

    /// <summary>
    /// Every directory above an entry of this layer is in the layer too, so that any extractor creates it
    /// the same way. One that the layers below already have keeps their owner, mode and xattrs; a new one
    /// is root's, 0755.
    /// </summary>
    private static void AddParents(LayerPlan plan, IReadOnlyList<LayerPlan> below, string rootKey, long epoch)
    {
        var needed = new SortedSet<string>(StringComparer.Ordinal);
        // In plan order a path's subtree follows it, so the entries from the root down to the current one form a
        // stack: a key whose parent tops that stack has all its folders in the plan already (they were checked when
        // the parent was). Only the others need their ancestors looked at, and a folder's walk has none.
        var path = new Stack<string>();
        foreach (var entry in plan.Entries)
        {
            string key = entry.Key;
            while (path.Count > 0 && !TarPath.IsUnder(key, path.Peek())) path.Pop();
            if (!(path.Count > 0 && IsParent(path.Peek(), key)))
                for (string? p = TarPath.Parent(key); p is { Length: > 0 } && needed.Add(p); p = TarPath.Parent(p)) { }
            path.Push(key);
        }
        if (rootKey.Length > 0)
            for (string? p = rootKey; p is { Length: > 0 }; p = TarPath.Parent(p)) needed.Add(p);

        foreach (var key in needed)
        {
            if (plan.Find(key) is not null) continue;
            var header = FindBelow(below, key)?.Header.Clone()
                         ?? new TarHeader { Type = TarEntryType.Directory, Mode = DefaultDirectoryMode };
            header.Name = key + "/";
            header.Type = TarEntryType.Directory;
            header.Size = 0;
            header.LinkName = "";
            header.ModificationTime = epoch;
            plan.Add(new PlannedEntry(header, EmptyContent.Instance));
        }
    }

    private static bool IsParent(string parent, string key) =>
        key.Length > parent.Length && key.LastIndexOf('/') == parent.Length && key.StartsWith(parent, StringComparison.Ordinal);

    /// <summary>The directory at <paramref name="key"/> as the layers below compose it, or null.</summary>
    private static PlannedEntry? FindBelow(IReadOnlyList<LayerPlan> below, string key)
    {
        for (int i = below.Count - 1; i >= 0; i--)
        {
            if (below[i].Find(key) is { } entry) return entry.Header.Type == TarEntryType.Directory ? entry : null;
            if (below[i].Hides(key)) return null;
        }
        return null;
    }
}
