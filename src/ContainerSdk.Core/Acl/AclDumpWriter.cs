using System.Globalization;

namespace ContainerSdk.Core.Acl;

/// <summary>
/// Writes dump blocks exactly as <c>getfacl -R -n</c> prints them when run from <c>root</c> with its output not
/// a terminal: relative paths ("." for the root), numeric owner and group, "# flags:" only when a bit is set,
/// a single tab before "#effective:" where the mask takes permissions away, and a blank line after each block.
/// <c>setfacl --restore</c> reads it back from the extracted root.
/// </summary>
internal static class AclDumpWriter
{
    public static void Write(TextWriter writer, AclDumpEntry entry, string root = "/")
    {
        var w = new System.Text.StringBuilder();
        w.Append("# file: ").Append(AclQuoting.Quote(AclImagePath.RelativeTo(entry.Path, root))).Append('\n');
        if (entry.Owner is { } uid) w.Append("# owner: ").Append(uid.ToString(CultureInfo.InvariantCulture)).Append('\n');
        if (entry.Group is { } gid) w.Append("# group: ").Append(gid.ToString(CultureInfo.InvariantCulture)).Append('\n');
        if (entry.Flags != AclFlags.None)
        {
            w.Append("# flags: ")
                .Append((entry.Flags & AclFlags.SetUid) != 0 ? 's' : '-')
                .Append((entry.Flags & AclFlags.SetGid) != 0 ? 's' : '-')
                .Append((entry.Flags & AclFlags.Sticky) != 0 ? 't' : '-')
                .Append('\n');
        }
        if (entry.Acls.Access is { } access) AppendEntries(w, access, "");
        if (entry.Acls.Default is { } @default) AppendEntries(w, @default, "default:");
        w.Append('\n');
        writer.Write(w.ToString());
    }

    public static void WriteAll(TextWriter writer, IEnumerable<AclDumpEntry> entries, string root = "/")
    {
        foreach (var e in entries) Write(writer, e, root);
    }

    private static void AppendEntries(System.Text.StringBuilder w, PosixAcl acl, string prefix)
    {
        var mask = acl.MaskPerms;
        foreach (var e in acl.Entries)
        {
            w.Append(prefix).Append(e.ToString());
            // The mask limits named users and the whole group class, never the owner or other.
            if (mask is { } m && (e.Tag is AclTag.User or AclTag.GroupObj or AclTag.Group) && (e.Perms & ~m) != 0)
                w.Append("\t#effective:").Append(AclEntry.PermsText(e.Perms & m));
            w.Append('\n');
        }
    }
}
