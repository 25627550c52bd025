using ContainerSdk.Core.Acl;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Tar;
using ContainerSdk.Core.Inputs;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// Applies <c>AclFile</c> dumps to the planned layers, as <c>setfacl --restore</c> would to the extracted
/// image: each entry lands on the path in the topmost layer that provides it, replaces the ACL that path
/// had, sets the permission bits the ACL implies (the group bits are the mask, as the kernel keeps them),
/// and the owner, group and flags the dump names. Names resolve in the image's own accounts.
/// </summary>
internal static class AclPlacement
{
    public static void Apply(IReadOnlyList<AclFileRequest> aclFiles, IReadOnlyList<LayerPlan> plans)
    {
        if (aclFiles.Count == 0) return;
        var names = ImageAccounts.Compose(plans);
        foreach (var file in aclFiles)
        {
            IReadOnlyList<AclDumpEntry> entries;
            try
            {
                using var reader = new StreamReader(file.Path, new System.Text.UTF8Encoding(false));
                entries = AclDumpParser.Parse(reader, file.Path, file.Root, names);
            }
            catch (FileNotFoundException e)
            {
                throw new ContainerSdkException(Codes.InputNotFound, $"AclFile '{file.Path}' does not exist.", file.Path, inner: e);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new ContainerSdkException(Codes.InputUnreadable, $"Cannot read AclFile '{file.Path}': permission denied.", file.Path, inner: e);
            }
            foreach (var entry in entries) Place(entry, file, plans);
        }
    }

    private static void Place(AclDumpEntry entry, AclFileRequest file, IReadOnlyList<LayerPlan> plans)
    {
        string key = TarPath.Key(TarPath.Normalize(entry.Path));
        var (target, layer) = Topmost(key, plans);
        if (target is null) throw new ContainerSdkException(Codes.AclPathNotFound,
                $"'{entry.Path}' is in no layer of the image (after the layers' removals), so its ACL cannot be applied.", file.Path, entry.Line, 1);
        // An image base's layers are reused byte for byte: a changed header would be silently lost.
        if (layer!.Prebuilt is not null)
            throw new ContainerSdkException(Codes.AclOnBaseImage,
                $"'{entry.Path}' comes from the base image '{layer.Input.ItemSpec}', whose layers are reused unchanged, so its ACL cannot be set there; " +
                "provide the path from a Module (or a folder or tarball BaseLayer) above the image.", file.Path, entry.Line, 1);
        if (target.Header.Type == TarEntryType.SymbolicLink)
            throw new ContainerSdkException(Codes.AclInvalid, $"'{entry.Path}' is a symbolic link; Linux keeps no ACLs on links.", file.Path, entry.Line, 1);
        if (entry.Acls.Default is not null && target.Header.Type != TarEntryType.Directory)
            throw new ContainerSdkException(Codes.AclInvalid, $"'{entry.Path}' is not a directory; only directories have default ACLs.", file.Path, entry.Line, 1);

        var header = target.Header;
        AclPax.Apply(header.PaxRecords, entry.Acls);
        if (entry.Acls.Access is { } access) header.Mode = access.ApplyToMode(header.Mode);
        // setfacl --restore sets the flags exactly: no "# flags:" line clears setuid, setgid and sticky.
        header.Mode = (header.Mode & 0x1FF) | (int)entry.Flags;
        if (entry.Owner is { } uid) header.Uid = uid;
        if (entry.Group is { } gid) header.Gid = gid;
    }

    /// <summary>The entry at <paramref name="key"/> in the topmost layer that has it, unless a layer above it deletes it.</summary>
    private static (PlannedEntry? Entry, LayerPlan? Layer) Topmost(string key, IReadOnlyList<LayerPlan> plans)
    {
        for (int i = plans.Count - 1; i >= 0; i--)
        {
            if (plans[i].Find(key) is { } entry && !TarPath.IsWhiteout(key)) return (entry, plans[i]);
            if (plans[i].Hides(key)) return (null, null);
        }
        return (null, null);
    }
}
